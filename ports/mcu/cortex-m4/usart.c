/* The console: USART1 of the STM32F405 (QEMU's first serial port). QEMU
 * sends at once; real silicon also needs the clock enabled in RCC, the TX
 * pin's alternate function and a baud rate. */
#include <stdint.h>

#include "../board.h"

#define USART1 0x40011000UL
#define USART_SR (*(volatile uint32_t *)(USART1 + 0x00))
#define USART_DR (*(volatile uint32_t *)(USART1 + 0x04))
#define USART_CR1 (*(volatile uint32_t *)(USART1 + 0x0c))
#define SR_TXE (1u << 7)
#define CR1_UE (1u << 13)
#define CR1_TE (1u << 3)

void console_putc(char c) {
    if (c == '\n') {
        console_putc('\r');
    }
    if ((USART_CR1 & (CR1_UE | CR1_TE)) != (CR1_UE | CR1_TE)) {
        USART_CR1 |= CR1_UE | CR1_TE;
    }
    while (!(USART_SR & SR_TXE)) {
    }
    USART_DR = (uint8_t)c;
}

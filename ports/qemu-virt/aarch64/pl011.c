/* The console: the PL011 UART of QEMU's aarch64 virt machine. QEMU needs
 * no setup; real hardware would (baud rate, line control, enable bits). */
#include <stdint.h>

#include "../board.h"
#include "../os/os_board.h"

#define UART_BASE 0x09000000UL
#define UART_DR 0x00 /* data register */
#define UART_FR 0x18 /* flag register */
#define FR_TX_FULL (1u << 5)

static volatile uint32_t *reg(uintptr_t offset) {
    return (volatile uint32_t *)(UART_BASE + offset);
}

void console_putc(char c) {
    if (c == '\n') {
        console_putc('\r');
    }
    while (*reg(UART_FR) & FR_TX_FULL) {
    }
    *reg(UART_DR) = (uint8_t)c;
}

#define FR_RX_EMPTY (1u << 4)

bool console_rx_ready(void) {
    return !(*reg(UART_FR) & FR_RX_EMPTY);
}

int console_getc(void) {
    return console_rx_ready() ? (int)(*reg(UART_DR) & 0xff) : -1;
}

/* The console: the 16550 UART of QEMU's virt machine. QEMU needs no
 * baud-rate setup; real hardware would (divisor latch, LCR). */
#include <stdint.h>

#include "../board.h"

#define UART_BASE 0x10000000UL
#define UART_THR 0 /* transmit holding register */
#define UART_LSR 5 /* line status register */
#define LSR_THR_EMPTY 0x20

static volatile uint8_t *const uart = (volatile uint8_t *)UART_BASE;

void console_putc(char c) {
    if (c == '\n') {
        console_putc('\r');
    }
    while (!(uart[UART_LSR] & LSR_THR_EMPTY)) {
    }
    uart[UART_THR] = (uint8_t)c;
}

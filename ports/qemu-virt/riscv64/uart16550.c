/* The console: the 16550 UART of QEMU's riscv64 virt machine. QEMU needs
 * no baud-rate setup; real hardware would (divisor latch, LCR). */
#include <stdint.h>

#include "../board.h"
#include "../os/os_board.h"

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

#define UART_RBR 0 /* receive buffer register */
#define LSR_DATA_READY 0x01

bool console_rx_ready(void) {
    return uart[UART_LSR] & LSR_DATA_READY;
}

int console_getc(void) {
    return console_rx_ready() ? uart[UART_RBR] : -1;
}

/* The console (platform/embedding-os.h) over the serial port: streams 1
 * and 2 both go to the one UART (a board with two would split them), any
 * other stream number is refused. */
#include "board.h"
#include "embedding-os.h"
#include "os/os_board.h"
#include "os/time_units.h"

int32_t embedding_os_console_write(uint32_t stream, const uint8_t *buf, uintptr_t len) {
    if (stream != 1 && stream != 2) {
        return -1;
    }
    /* console_putc waits while the transmit FIFO is full: never short. */
    for (uintptr_t i = 0; i < len; i++) {
        console_putc((char)buf[i]);
    }
    return 0;
}

/* Waits for the first byte, then takes what else has arrived. A serial line
 * has no end of input, so this never returns 0. The wait halts between
 * polls, a millisecond at a time (embedding_os_sleep_until): a kernel with
 * the UART's receive interrupt routed would wait for that instead. */
intptr_t embedding_os_console_read(uint8_t *buf, uintptr_t len) {
    if (len == 0) {
        return 0;
    }
    int c;
    while ((c = console_getc()) < 0) {
        embedding_os_sleep_until(embedding_os_monotonic_now() + 1000000);
    }
    uintptr_t n = 0;
    do {
        buf[n++] = (uint8_t)c;
    } while (n < len && (c = console_getc()) >= 0);
    return (intptr_t)n;
}

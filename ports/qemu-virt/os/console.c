/* The console (platform/embedding-os.h) over the serial port: streams 1
 * and 2 both go to the one UART (a board with two would split them), any
 * other stream number is refused. */
#include "board.h"
#include "embedding-os.h"
#include "os/console_redirect.h"
#include "os/os_board.h"
#include "os/time_units.h"

static const struct console_redirect *redirect;

void console_redirect(const struct console_redirect *to) {
    redirect = to;
}

/* A serial line has no end of input: an EOT byte (0x04, a terminal's
 * Ctrl-D) stands for it, as build.sh --program sends after its standard
 * input. Once seen, every later read is at the end too. */
#define END_OF_INPUT 0x04
static int input_ended;

int32_t embedding_os_console_write(uint32_t stream, const uint8_t *buf, uintptr_t len) {
    if (stream != 1 && stream != 2) {
        return -1;
    }
    if (redirect) {
        return redirect->write(redirect->env, stream, buf, len);
    }
    /* console_putc waits while the transmit FIFO is full: never short. */
    for (uintptr_t i = 0; i < len; i++) {
        console_putc((char)buf[i]);
    }
    return 0;
}

/* Waits for the first byte, then takes what else has arrived, up to an
 * EOT. The wait halts between
 * polls, a millisecond at a time (embedding_os_sleep_until): a kernel with
 * the UART's receive interrupt routed would wait for that instead. */
intptr_t embedding_os_console_read(uint8_t *buf, uintptr_t len) {
    if (redirect) {
        return redirect->read(redirect->env, buf, len);
    }
    if (len == 0 || input_ended) {
        return 0;
    }
    int c;
    while ((c = console_getc()) < 0) {
        embedding_os_sleep_until(embedding_os_monotonic_now() + 1000000);
    }
    uintptr_t n = 0;
    do {
        if (c == END_OF_INPUT) {
            input_ended = 1;
            break;
        }
        buf[n++] = (uint8_t)c;
    } while (n < len && (c = console_getc()) >= 0);
    return (intptr_t)n;
}

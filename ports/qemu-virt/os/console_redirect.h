/* Lets the kernel take the console away from the UART for a while: the
 * WASI case runner (wasi/cases.c) gives each program its own standard
 * input and captures its output, as `host run` does with pipes. */
#ifndef OS_CONSOLE_REDIRECT_H
#define OS_CONSOLE_REDIRECT_H

#include <stdint.h>

struct console_redirect {
    /* Stream 1 or 2; returns 0, or -1 for a closed stream. */
    int32_t (*write)(void *env, uint32_t stream, const uint8_t *buf, uintptr_t len);
    /* Up to `len` bytes; 0 at the end of input. */
    intptr_t (*read)(void *env, uint8_t *buf, uintptr_t len);
    void *env;
};

/* Sends the console to `to` until called again; NULL gives it back to the
 * UART. */
void console_redirect(const struct console_redirect *to);

#endif

#include "stack_use.h"

#include <stdint.h>

/* The linker script's stack bounds. */
extern uint8_t __stack_bottom[], __stack_top[];

#define PAINT 0xa5u
/* Left unpainted below the caller's stack pointer: this function's own
 * frame and the few words the compiler may spill. */
#define MARGIN 256

void stack_paint(void) {
    uint8_t here;
    /* `here` is in this frame, near the stack pointer. */
    volatile uint8_t *p = __stack_bottom;
    uint8_t *end = &here - MARGIN;
    while ((uint8_t *)p < end) {
        *p++ = PAINT;
    }
}

size_t stack_peak(void) {
    const volatile uint8_t *p = __stack_bottom;
    while ((const uint8_t *)p < __stack_top && *p == PAINT) {
        p++;
    }
    return (size_t)(__stack_top - (const uint8_t *)p);
}

size_t stack_size(void) {
    return (size_t)(__stack_top - __stack_bottom);
}

/* The stack's high-water mark, for the RAM figures: the stack is filled
 * with a pattern at boot and the untouched part counted at the end. */
#ifndef STACK_USE_H
#define STACK_USE_H

#include <stddef.h>

/* Fills the stack below the caller's frame with the pattern. */
void stack_paint(void);
/* Bytes of the stack ever used, and its size (the linker script's). */
size_t stack_peak(void);
size_t stack_size(void);

#endif

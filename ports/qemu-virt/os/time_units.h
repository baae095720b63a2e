/* Counter ticks and nanoseconds, both ways, in 64 bits: no 128-bit
 * division (which would need the compiler's runtime library). Neither
 * overflows for counters below 10 GHz within 584 years of reset. */
#ifndef TIME_UNITS_H
#define TIME_UNITS_H

#include <stdint.h>

#include "board.h"

#define NS_PER_SECOND 1000000000ull

/* Rounded down: never ahead of the counter. */
static inline uint64_t ticks_to_ns(uint64_t ticks) {
    uint64_t hz = timer_hz();
    return ticks / hz * NS_PER_SECOND + ticks % hz * NS_PER_SECOND / hz;
}

/* Rounded up: the first tick whose ticks_to_ns is at least `ns`, so that a
 * sleep that waits for it has reached its deadline. */
static inline uint64_t ns_to_ticks_ceil(uint64_t ns) {
    uint64_t hz = timer_hz();
    return ns / NS_PER_SECOND * hz + (ns % NS_PER_SECOND * hz + NS_PER_SECOND - 1) / NS_PER_SECOND;
}

#endif

/* The CLINT's 64-bit mtime, 10 MHz on QEMU virt, read as two 32-bit
 * halves: the high half is read again to catch a carry between the reads. */
#include <stdint.h>

#include "../board.h"

#define MTIME_LO ((volatile uint32_t *)0x0200bff8UL)
#define MTIME_HI ((volatile uint32_t *)0x0200bffcUL)

uint64_t timer_ticks(void) {
    uint32_t hi, lo;
    do {
        hi = *MTIME_HI;
        lo = *MTIME_LO;
    } while (hi != *MTIME_HI);
    return (uint64_t)hi << 32 | lo;
}

uint64_t timer_hz(void) {
    return 10000000;
}

/* The `time` CSR: on QEMU virt it counts at 10 MHz from reset (the DTB's
 * timebase-frequency; a real board states its own there). */
#include "../board.h"

uint64_t timer_ticks(void) {
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

uint64_t timer_hz(void) {
    return 10000000;
}

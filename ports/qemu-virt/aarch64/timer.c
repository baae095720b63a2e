/* The generic timer's virtual counter, with the frequency firmware (here:
 * QEMU) programmed into CNTFRQ_EL0. */
#include "../board.h"

uint64_t timer_ticks(void) {
    uint64_t t;
    __asm__ volatile("isb\nmrs %0, cntvct_el0" : "=r"(t));
    return t;
}

uint64_t timer_hz(void) {
    uint64_t hz;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    return hz;
}

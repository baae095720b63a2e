/* Sleeping until a deadline (platform/embedding-os.h) on the timer
 * interrupt: arm the timer for the deadline, `wfi` until the counter gets
 * there, disarm. The interrupt is enabled but masked at the CPU, which
 * ends `wfi` without taking it (os_board.h), so this kernel needs no
 * interrupt handler and the rest of it still runs with interrupts off. */
#include "embedding-os.h"
#include "os/os_board.h"
#include "os/sleep_stats.h"
#include "os/time_units.h"

static uint64_t wakeups;

uint64_t sleep_wakeups(void) {
    return wakeups;
}

void embedding_os_sleep_until(uint64_t deadline) {
    uint64_t ticks = ns_to_ticks_ceil(deadline);
    if (timer_ticks() >= ticks) {
        return;
    }
    timer_arm(ticks);
    /* A wakeup before the deadline (another interrupt) waits again; one
     * that raced the check above finds the interrupt pending and returns
     * at once. */
    while (timer_ticks() < ticks) {
        cpu_wait();
        wakeups++;
    }
    timer_disarm();
}

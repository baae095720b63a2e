/* The monotonic clock (platform/embedding-os.h): the architecture's
 * free-running counter (board.h's timer_ticks: riscv64's `time` CSR,
 * aarch64's CNTVCT_EL0), which counts from reset at timer_hz(), converted
 * to nanoseconds. One counter for the whole machine, so every CPU would
 * read the same clock. */
#include "embedding-os.h"
#include "os/time_units.h"

uint64_t embedding_os_monotonic_now(void) {
    return ticks_to_ns(timer_ticks());
}

/* One tick, rounded up: 100 ns at QEMU riscv64 virt's 10 MHz, 16 ns at
 * aarch64's 62.5 MHz. */
uint64_t embedding_os_monotonic_resolution(void) {
    uint64_t hz = timer_hz();
    return (NS_PER_SECOND + hz - 1) / hz;
}

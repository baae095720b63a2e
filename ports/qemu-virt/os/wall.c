/* The wall clock (platform/embedding-os.h): the machine's RTC (riscv64
 * virt: the Goldfish RTC; aarch64 virt: the PL031), which QEMU starts at
 * the host's time (`-rtc base=utc`, the default). */
#include "embedding-os.h"
#include "os/os_board.h"

int32_t embedding_os_wall_now(uint64_t *seconds, uint32_t *nanoseconds) {
    uint64_t s;
    uint32_t ns;
    /* The contract: on failure, the outputs stay untouched. */
    if (rtc_read(&s, &ns) != 0) {
        return -1;
    }
    *seconds = s;
    *nanoseconds = ns;
    return 0;
}

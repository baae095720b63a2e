/* Entropy (platform/embedding-os.h): straight from the hardware source
 * (riscv64 virt: virtio-rng; aarch64: RNDR), never a generator seeded at
 * boot, so no two boots see the same bytes. A real kernel would feed the
 * hardware source into its own CSPRNG and serve this from that. */
#include "embedding-os.h"
#include "os/os_board.h"

int32_t embedding_os_random(uint8_t *buf, uintptr_t len) {
    if (len == 0) {
        return 0;
    }
    return rng_fill(buf, len) == 0 ? 0 : -1;
}

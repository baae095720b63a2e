/* Entropy on aarch64: the RNDR register (FEAT_RNG, Armv8.5), which QEMU's
 * `-cpu max` implements (from the host's getrandom); cortex-a57 lacks it.
 * ID_AA64ISAR0_EL1.RNDR says whether the core has it. RNDR reports a
 * failure (entropy not available in reasonable time) with NZCV = 0b0100. */
#include "os/os_board.h"

/* RNDR and ID_AA64ISAR0_EL1 by encoding: assemblers older than Armv8.5
 * do not know RNDR's name. */
static bool rndr(uint64_t *value) {
    uint64_t v, nzcv;
    __asm__ volatile("mrs %0, s3_3_c2_c4_0\n"
                     "mrs %1, nzcv"
                     : "=r"(v), "=r"(nzcv));
    *value = v;
    return (nzcv & (1ul << 30)) == 0; /* Z clear: success */
}

static bool has_rndr(void) {
    uint64_t isar0;
    __asm__ volatile("mrs %0, s3_0_c0_c6_0" : "=r"(isar0));
    return (isar0 >> 60) != 0;
}

int rng_fill(uint8_t *buf, size_t len) {
    if (!has_rndr()) {
        return -1;
    }
    while (len > 0) {
        uint64_t v;
        int tries = 0;
        while (!rndr(&v)) {
            if (++tries == 16) {
                return -1;
            }
        }
        for (int i = 0; i < 8 && len > 0; i++, len--) {
            *buf++ = (uint8_t)(v >> (8 * i));
        }
    }
    return 0;
}

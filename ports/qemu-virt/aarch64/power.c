/* Power-off with PSCI SYSTEM_OFF. On QEMU's virt machine without EL2/EL3
 * firmware the kernel runs at EL1 and QEMU implements PSCI behind `hvc`
 * (the DTB's /psci "method"; a board with firmware may say "smc").
 * PSCI carries no status: QEMU exits 0 either way, so the verdict is the
 * console's summary line. */
#include <stdint.h>

#include "../board.h"

#define PSCI_SYSTEM_OFF 0x84000008u

const char board_name[] = "aarch64-virt";

_Noreturn void power_off(bool ok) {
    (void)ok;
    register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
    __asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
    for (;;) {
        __asm__ volatile("wfi");
    }
}

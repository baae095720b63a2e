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

#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

_Noreturn void power_exit(uint32_t code) {
    /* Semihosting: the operation in w0, a pointer to its block in x1, then
     * the A64 semihosting trap `hlt #0xf000`. QEMU exits with `code`. */
    static volatile uint64_t block[2];
    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = code & 0xff;
    register uint64_t x0 __asm__("x0") = SYS_EXIT_EXTENDED;
    register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    power_off(code == 0);
}

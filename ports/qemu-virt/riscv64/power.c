/* Power-off through the virt machine's "sifive_test" device, which also
 * hands QEMU an exit status; the SBI SRST call is the fallback (its status
 * does not reach QEMU's exit code). */
#include <stdint.h>

#include "../board.h"

#define TEST_DEVICE 0x100000UL
#define TEST_PASS 0x5555
#define TEST_FAIL 0x3333 /* exit status in bits 16 and up */

#define SBI_EXT_SRST 0x53525354
#define SRST_SHUTDOWN 0

const char board_name[] = "riscv64-virt";

_Noreturn void power_off(bool ok) {
    volatile uint32_t *test = (volatile uint32_t *)TEST_DEVICE;
    *test = ok ? TEST_PASS : (1u << 16) | TEST_FAIL;

    register uintptr_t a0 __asm__("a0") = SRST_SHUTDOWN;
    register uintptr_t a1 __asm__("a1") = ok ? 0 : 1; /* no reason / system failure */
    register uintptr_t a6 __asm__("a6") = 0;
    register uintptr_t a7 __asm__("a7") = SBI_EXT_SRST;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
    for (;;) {
        __asm__ volatile("wfi");
    }
}

_Noreturn void power_exit(uint32_t code) {
    volatile uint32_t *test = (volatile uint32_t *)TEST_DEVICE;
    /* QEMU exits 0 for TEST_PASS and with bits 16 and up for TEST_FAIL. */
    *test = code == 0 ? TEST_PASS : ((code & 0xff) << 16) | TEST_FAIL;
    power_off(code == 0);
}

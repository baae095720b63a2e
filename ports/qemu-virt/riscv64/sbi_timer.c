/* The timer interrupt on riscv64 in S-mode: the kernel asks the SBI
 * firmware (OpenSBI) to raise the supervisor timer interrupt when `time`
 * reaches a value (the TIME extension's set_timer; the firmware programs
 * the CLINT, or `stimecmp` where the hart has Sstc). sie.STIE enables it
 * locally; sstatus.SIE stays 0, so a pending interrupt ends `wfi` without a
 * trap, as the privileged spec requires of `wfi` whatever the global
 * enable. */
#include "os/os_board.h"

#define SBI_EXT_TIME 0x54494d45
#define SBI_TIME_SET_TIMER 0
#define SIE_STIE (1ul << 5)

static void sbi_set_timer(uint64_t when) {
    register uintptr_t a0 __asm__("a0") = when;
    register uintptr_t a1 __asm__("a1");
    register uintptr_t a6 __asm__("a6") = SBI_TIME_SET_TIMER;
    register uintptr_t a7 __asm__("a7") = SBI_EXT_TIME;
    __asm__ volatile("ecall" : "+r"(a0), "=r"(a1) : "r"(a6), "r"(a7) : "memory");
}

void timer_arm(uint64_t ticks) {
    sbi_set_timer(ticks);
    __asm__ volatile("csrs sie, %0" ::"r"(SIE_STIE));
}

void timer_disarm(void) {
    __asm__ volatile("csrc sie, %0" ::"r"(SIE_STIE));
    /* Setting a timer in the far future is how SBI clears a pending one. */
    sbi_set_timer(UINT64_MAX);
}

void cpu_wait(void) {
    __asm__ volatile("wfi");
}

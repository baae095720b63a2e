/* Power-off through Arm semihosting (QEMU: -semihosting-config
 * enable=on,target=native): SYS_EXIT with "application exit" makes QEMU
 * exit 0, any other reason exit 1. On a real board without a debugger
 * attached, `bkpt` is a HardFault, so firmware there would reset or sleep
 * instead. */
#include <stdint.h>

#include "../board.h"

#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUN_TIME_ERROR 0x20023

const char board_name[] = "cortex-m4";

_Noreturn void power_off(bool ok) {
    register uint32_t r0 __asm__("r0") = SYS_EXIT;
    register uint32_t r1 __asm__("r1") = ok ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUN_TIME_ERROR;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    for (;;) {
        __asm__ volatile("wfi");
    }
}

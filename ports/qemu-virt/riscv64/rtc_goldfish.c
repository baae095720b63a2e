/* The wall clock of QEMU's riscv64 virt machine: a Goldfish RTC at
 * 0x101000 (QEMU's hw/riscv/virt.c memory map, VIRT_RTC; a real kernel
 * reads it from the device tree's "google,goldfish-rtc" node). It counts
 * nanoseconds since 1970; reading TIME_LOW latches TIME_HIGH. */
#include "os/os_board.h"

#define RTC_BASE 0x101000UL
#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04

static volatile uint32_t *reg(uintptr_t offset) {
    return (volatile uint32_t *)(RTC_BASE + offset);
}

int rtc_read(uint64_t *seconds, uint32_t *nanoseconds) {
    uint64_t low = *reg(RTC_TIME_LOW);
    uint64_t ns = (uint64_t)*reg(RTC_TIME_HIGH) << 32 | low;
    if (ns == 0) {
        return -1; /* never set: no wall clock */
    }
    *seconds = ns / 1000000000u;
    *nanoseconds = (uint32_t)(ns % 1000000000u);
    return 0;
}

/* The wall clock of QEMU's aarch64 virt machine: a PL031 RTC at
 * 0x09010000 (QEMU's hw/arm/virt.c memory map, VIRT_RTC; a real kernel
 * reads it from the device tree's "arm,pl031" node). It counts whole
 * seconds since 1970, so the nanoseconds are always 0. It sits in the same
 * 2 MiB Device block as the PL011 (aarch64/mmu.c). */
#include "os/os_board.h"

#define RTC_BASE 0x09010000UL
#define RTC_DR 0x000 /* data register: the current count */

int rtc_read(uint64_t *seconds, uint32_t *nanoseconds) {
    uint32_t now = *(volatile uint32_t *)(RTC_BASE + RTC_DR);
    if (now == 0) {
        return -1; /* never set: no wall clock */
    }
    *seconds = now;
    *nanoseconds = 0;
    return 0;
}

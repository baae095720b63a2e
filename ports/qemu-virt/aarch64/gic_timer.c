/* The timer interrupt on aarch64: the generic timer's virtual timer
 * (CNTV_CVAL_EL0 compared with CNTVCT_EL0) raises PPI 11, interrupt 27, at
 * the GICv2 of QEMU's virt machine (distributor at 0x08000000, CPU
 * interface at 0x08010000: hw/arm/virt.c's VIRT_GIC_DIST and VIRT_GIC_CPU,
 * `gic-version=2` being the default; a real kernel reads them from the
 * device tree). PSTATE.I stays set, so the pending interrupt ends `wfi`
 * without being taken (the architecture wakes WFI on a pending IRQ
 * whatever PSTATE's masks), and it is never acknowledged: the line drops
 * when the timer is disabled. */
#include "os/os_board.h"

#define GICD_BASE 0x08000000UL
#define GICC_BASE 0x08010000UL
#define GICD_CTLR 0x000
#define GICD_ISENABLER0 0x100
#define GICD_IPRIORITYR 0x400
#define GICC_CTLR 0x000
#define GICC_PMR 0x004

#define TIMER_VIRT_INTID 27
#define CNTV_CTL_ENABLE 1ul

static bool gic_ready;

static volatile uint32_t *gicd(uintptr_t offset) {
    return (volatile uint32_t *)(GICD_BASE + offset);
}

static volatile uint32_t *gicc(uintptr_t offset) {
    return (volatile uint32_t *)(GICC_BASE + offset);
}

static void gic_init(void) {
    __asm__ volatile("msr daifset, #2"); /* IRQs masked at the CPU */
    volatile uint8_t *priority = (volatile uint8_t *)(GICD_BASE + GICD_IPRIORITYR);
    priority[TIMER_VIRT_INTID] = 0x80;
    *gicd(GICD_ISENABLER0) = 1u << TIMER_VIRT_INTID;
    *gicd(GICD_CTLR) = 1;
    *gicc(GICC_PMR) = 0xf0; /* lets priority 0x80 through */
    *gicc(GICC_CTLR) = 1;
    gic_ready = true;
}

void timer_arm(uint64_t ticks) {
    if (!gic_ready) {
        gic_init();
    }
    __asm__ volatile("msr cntv_cval_el0, %0\n"
                     "msr cntv_ctl_el0, %1\n"
                     "isb" ::"r"(ticks),
                     "r"(CNTV_CTL_ENABLE));
}

void timer_disarm(void) {
    __asm__ volatile("msr cntv_ctl_el0, xzr\n"
                     "isb");
}

void cpu_wait(void) {
    __asm__ volatile("dsb sy\n"
                     "wfi");
}

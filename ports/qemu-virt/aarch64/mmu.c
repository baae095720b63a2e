/* The kernel's identity map, because with the MMU off every access is
 * Device memory: unaligned accesses fault and caches are off, and both Rust
 * code and WebAssembly code (Pulley's operands, Cranelift's loads and
 * stores) need Normal memory. QEMU 7.2 does not enforce the Device-memory
 * alignment rule, so the samples pass without this under emulation; real
 * cores fault.
 *
 * Mapped: RAM (1-4 GiB, from 0x40000000) with 1 GiB blocks, Normal,
 * write-back cacheable, and as Device the 2 MiB of the PL011 (and the
 * PL031 RTC) and the 2 MiB of the GIC (the timer's interrupt, os/sleep.c).
 * Nothing else: in
 * particular address 0 stays unmapped, because Wasmtime's native code
 * (full mode) checks null references by loading through them and relies
 * on that faulting. Everything from 4 GiB up is free for Wasmtime's window
 * (vm/vmsa4k.c). A real kernel maps itself with finer pages and
 * permissions. */
#include <stdint.h>

#include "translation.h"

#define UART_BASE 0x09000000ul /* and the PL031 RTC, in the same 2 MiB */
#define GIC_BASE 0x08000000ul  /* GICv2 distributor and CPU interface */

#define MAIR_DEVICE 0x00
#define MAIR_NORMAL 0xff

#define TCR_T0SZ_39BIT 25ul
#define TCR_IRGN0_WB (1ul << 8)
#define TCR_ORGN0_WB (1ul << 10)
#define TCR_SH0_INNER (3ul << 12)
#define TCR_TG0_4K (0ul << 14)
#define TCR_EPD1 (1ul << 23)      /* no upper-half (TTBR1) walks */
#define TCR_IPS_32BIT (0ul << 32) /* every physical address here is below 4 GiB */

#define SCTLR_M (1ul << 0)
#define SCTLR_A (1ul << 1)
#define SCTLR_C (1ul << 2)
#define SCTLR_I (1ul << 12)
#define SCTLR_WXN (1ul << 19)

void mmu_enable(void);

uint64_t translation_l1[512] __attribute__((aligned(4096)));
static uint64_t devices_l2[512] __attribute__((aligned(4096)));

void mmu_enable(void) {
    const uint64_t normal = DESC_ATTR_INDEX(MAIR_INDEX_NORMAL) | DESC_INNER_SHAREABLE |
                            DESC_ACCESS_FLAG | DESC_UXN;
    const uint64_t device = DESC_ATTR_INDEX(MAIR_INDEX_DEVICE) | DESC_ACCESS_FLAG | DESC_PXN |
                            DESC_UXN;
    translation_l1[0] = (uint64_t)devices_l2 | DESC_TABLE;
    devices_l2[UART_BASE >> 21] = UART_BASE | DESC_BLOCK | device;
    devices_l2[GIC_BASE >> 21] = GIC_BASE | DESC_BLOCK | device;
    for (uint64_t i = 1; i < 4; i++) {
        translation_l1[i] = i * GIB | DESC_BLOCK | normal;
    }
    uint64_t mair = MAIR_DEVICE << (8 * MAIR_INDEX_DEVICE) |
                    (uint64_t)MAIR_NORMAL << (8 * MAIR_INDEX_NORMAL);
    uint64_t tcr = TCR_T0SZ_39BIT | TCR_IRGN0_WB | TCR_ORGN0_WB | TCR_SH0_INNER | TCR_TG0_4K |
                   TCR_EPD1 | TCR_IPS_32BIT;
    __asm__ volatile("msr mair_el1, %0\n"
                     "msr tcr_el1, %1\n"
                     "msr ttbr0_el1, %2\n"
                     "dsb ish\n"
                     "tlbi vmalle1\n"
                     "dsb ish\n"
                     "isb" ::"r"(mair),
                     "r"(tcr), "r"(translation_l1)
                     : "memory");
    uint64_t sctlr;
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    /* Alignment checks off (WebAssembly accesses may be unaligned); WXN off,
     * or the kernel's own writable RAM could not execute. */
    sctlr = (sctlr | SCTLR_M | SCTLR_C | SCTLR_I) & ~(SCTLR_A | SCTLR_WXN);
    __asm__ volatile("msr sctlr_el1, %0\n"
                     "isb" ::"r"(sctlr)
                     : "memory");
}

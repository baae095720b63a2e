/* An identity map, because with the MMU off every access is Device memory:
 * unaligned accesses fault and caches are off, and both Rust code and the
 * Pulley interpreter (which reads bytecode operands unaligned) need Normal
 * memory. Four 1 GiB blocks cover the low 4 GiB: the first (devices, the
 * PL011 included) as Device, the rest (RAM from 0x40000000) as Normal,
 * write-back cacheable. A real kernel maps with finer pages and permissions.
 * QEMU 7.2 does not enforce the Device-memory alignment rule, so the
 * samples pass without this under emulation; real cores fault. */
#include <stdint.h>

#define BLOCK 0x1ul             /* level-1 block descriptor */
#define ATTR_INDEX(i) ((uint64_t)(i) << 2)
#define INNER_SHAREABLE (3ul << 8)
#define ACCESS_FLAG (1ul << 10)
#define EXECUTE_NEVER (3ul << 53) /* PXN and UXN */

#define MAIR_DEVICE 0x00 /* index 0: Device-nGnRnE */
#define MAIR_NORMAL 0xff /* index 1: Normal, write-back, read/write-allocate */

#define TCR_T0SZ_4GIB 32ul
#define TCR_IRGN0_WB (1ul << 8)
#define TCR_ORGN0_WB (1ul << 10)
#define TCR_SH0_INNER (3ul << 12)
#define TCR_EPD1 (1ul << 23) /* no upper-half (TTBR1) walks */

#define SCTLR_M (1ul << 0)
#define SCTLR_A (1ul << 1)
#define SCTLR_C (1ul << 2)
#define SCTLR_I (1ul << 12)

void mmu_enable(void);

static uint64_t level1[4] __attribute__((aligned(4096)));

void mmu_enable(void) {
    level1[0] = 0 | BLOCK | ATTR_INDEX(0) | ACCESS_FLAG | EXECUTE_NEVER;
    for (uint64_t i = 1; i < 4; i++) {
        level1[i] = (i << 30) | BLOCK | ATTR_INDEX(1) | INNER_SHAREABLE | ACCESS_FLAG;
    }
    uint64_t mair = MAIR_DEVICE | (uint64_t)MAIR_NORMAL << 8;
    uint64_t tcr = TCR_T0SZ_4GIB | TCR_IRGN0_WB | TCR_ORGN0_WB | TCR_SH0_INNER | TCR_EPD1;
    __asm__ volatile("msr mair_el1, %0\n"
                     "msr tcr_el1, %1\n"
                     "msr ttbr0_el1, %2\n"
                     "dsb ish\n"
                     "tlbi vmalle1\n"
                     "dsb ish\n"
                     "isb" ::"r"(mair),
                     "r"(tcr), "r"(level1)
                     : "memory");
    uint64_t sctlr;
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    sctlr = (sctlr | SCTLR_M | SCTLR_C | SCTLR_I) & ~SCTLR_A;
    __asm__ volatile("msr sctlr_el1, %0\n"
                     "isb" ::"r"(sctlr)
                     : "memory");
}

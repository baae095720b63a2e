/* The window's page-table entries (vm/mmu.h) on AArch64: 4 KiB pages in
 * the translation table that aarch64/mmu.c built at boot (translation.h),
 * so the MMU is already on and mmu_init has nothing left to do. The walk
 * itself is vm/walk.c. */
#include <stdint.h>

#include "../translation.h"
#include "mmu.h"
#include "wasmtime-platform.h"

/* Software bit 55 (ignored by the walk): a frame is attached but PROT_NONE.
 * The valid bit is clear, so any access faults. */
#define DESC_PARKED (1ul << 55)

bool mmu_init(void) {
    return true;
}

uint64_t *mmu_level1(void) {
    return translation_l1;
}

bool pte_valid(uint64_t entry) {
    return entry & DESC_VALID;
}

uint64_t pte_table(uintptr_t table) {
    return table | DESC_TABLE;
}

uintptr_t pte_address(uint64_t entry) {
    return entry & DESC_ADDRESS_MASK;
}

bool pte_attached(uint64_t entry) {
    return entry & (DESC_VALID | DESC_PARKED);
}

bool mmu_map(uintptr_t va, uintptr_t pa, uint32_t prot) {
    uint64_t *desc = mmu_leaf(va, true);
    if (!desc) {
        return false;
    }
    uint64_t bits = DESC_ATTR_INDEX(MAIR_INDEX_NORMAL) | DESC_INNER_SHAREABLE |
                    DESC_ACCESS_FLAG | DESC_UXN;
    /* Stage 1 has no write-only pages: a writable page is readable. */
    bits |= prot & WASMTIME_PROT_WRITE ? 0 : DESC_READ_ONLY;
    bits |= prot & WASMTIME_PROT_EXEC ? 0 : DESC_PXN;
    bits |= prot ? DESC_PAGE : DESC_PARKED;
    /* Only the permissions of a valid page change here (vmem.c takes the
     * frame away, flushes, and only then attaches another), which the
     * architecture allows without break-before-make. */
    *desc = pa | bits;
    return true;
}

void mmu_flush(void) {
    /* The table writes reach the walker (dsb ishst), every EL1 translation
     * of this address space is discarded (tlbi vmalle1is: broadcast, so
     * other cores in the Inner Shareable domain drop theirs too, which an
     * SMP kernel needs before reusing a frame it unmapped), the
     * invalidation completes (dsb ish), and this core refetches with the
     * new tables (isb). */
    __asm__ volatile("dsb ishst\n"
                     "tlbi vmalle1is\n"
                     "dsb ish\n"
                     "isb" ::
                         : "memory");
}

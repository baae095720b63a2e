/* The window's page tables (vm/mmu.h) on AArch64: 4 KiB pages in the
 * translation table that aarch64/mmu.c built at boot (translation.h), so
 * the MMU is already on and mmu_init has nothing left to do.
 *
 * Wasmtime gets a window at 4 GiB, next to the kernel's identity map:
 * 1 GiB in vm mode, 64 GiB in full mode (4 GiB reservations plus guards per
 * memory; the 39-bit address space has 512). Its level-2 and level-3 tables
 * come from the frame pool when first needed, so a reserved but unused
 * range costs no RAM at all. */
#include <stdint.h>

#include "../translation.h"
#include "mmu.h"
#include "wasmtime-platform.h"

/* Software bit 55 (ignored by the walk): a frame is attached but PROT_NONE.
 * The valid bit is clear, so any access faults. */
#define DESC_PARKED (1ul << 55)

#ifdef PORT_FULL
#define WINDOW_GIB 64
#else
#define WINDOW_GIB 1
#endif

const uintptr_t vm_window_base = 4 * GIB;
const uintptr_t vm_window_size = WINDOW_GIB * GIB;

bool mmu_init(void) {
    return true;
}

/* The table `entry` points to; with `create`, allocates it if missing.
 * NULL if it does not exist (or cannot be made). A new table is zeroed,
 * so all its entries are invalid. */
static uint64_t *next_table(uint64_t *entry, bool create) {
    if (!(*entry & DESC_VALID)) {
        uintptr_t table = create ? frame_alloc() : 0;
        if (!table) {
            return NULL;
        }
        *entry = table | DESC_TABLE;
    }
    return (uint64_t *)(*entry & DESC_ADDRESS_MASK);
}

/* The level-3 entry for `va` in the window; with `create`, allocates the
 * tables on the way. NULL if they do not exist (or cannot be made). */
static uint64_t *leaf(uintptr_t va, bool create) {
    uint64_t *l2 = next_table(&translation_l1[(va >> 30) & 511], create);
    uint64_t *l3 = l2 ? next_table(&l2[(va >> 21) & 511], create) : NULL;
    return l3 ? &l3[(va >> 12) & 511] : NULL;
}

bool mmu_map(uintptr_t va, uintptr_t pa, uint32_t prot) {
    uint64_t *desc = leaf(va, true);
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

uintptr_t mmu_frame(uintptr_t va) {
    uint64_t *desc = leaf(va, false);
    return desc && (*desc & (DESC_VALID | DESC_PARKED)) ? *desc & DESC_ADDRESS_MASK : 0;
}

uintptr_t mmu_next(uintptr_t va) {
    const uintptr_t mib2 = 1ul << 21;
    uint64_t *l2 = next_table(&translation_l1[(va >> 30) & 511], false);
    if (!l2) {
        return (va | (GIB - 1)) + 1;
    }
    if (!next_table(&l2[(va >> 21) & 511], false)) {
        return (va | (mib2 - 1)) + 1;
    }
    return va + PAGE_SIZE;
}

void mmu_unmap(uintptr_t va) {
    uint64_t *desc = leaf(va, false);
    if (desc) {
        *desc = 0;
    }
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

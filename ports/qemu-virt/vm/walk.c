/* The walk both architectures share. Sv39 and AArch64's 4 KiB granule with
 * 39-bit addresses have the same shape: three levels of 512 eight-byte
 * entries, 1 GiB per level-1 entry, 2 MiB per level-2 entry, 4 KiB pages.
 * Only the encoding of an entry differs; each architecture supplies it
 * (mmu.h, "Entry encoding": riscv64/vm/sv39.c, aarch64/vm/vmsa4k.c).
 *
 * Wasmtime gets a window at 4 GiB, next to the kernel's identity map:
 * 1 GiB in vm mode, 64 GiB in full mode (4 GiB reservations plus guards per
 * memory; both 39-bit layouts leave far more than that free). Its level-2
 * and level-3 tables come from the frame pool when first needed, so a
 * reserved but unused range costs no RAM at all. */
#include "mmu.h"

/* What one entry of a level-1 and of a level-2 table maps. */
#define LEVEL1_SPAN (1UL << 30)
#define LEVEL2_SPAN (1UL << 21)

#ifdef PORT_FULL
#define WINDOW_GIB 64
#else
#define WINDOW_GIB 1
#endif

const uintptr_t vm_window_base = 4 * LEVEL1_SPAN;
const uintptr_t vm_window_size = WINDOW_GIB * LEVEL1_SPAN;

/* The table `entry` points to; with `create`, allocates it if missing.
 * NULL if it does not exist (or cannot be made). A new table is zeroed, so
 * all its entries are invalid on both architectures. */
static uint64_t *next_table(uint64_t *entry, bool create) {
    if (!pte_valid(*entry)) {
        uintptr_t table = create ? frame_alloc() : 0;
        if (!table) {
            return NULL;
        }
        *entry = pte_table(table);
    }
    return (uint64_t *)pte_address(*entry);
}

uint64_t *mmu_leaf(uintptr_t va, bool create) {
    uint64_t *l2 = next_table(&mmu_level1()[(va >> 30) & 511], create);
    uint64_t *l3 = l2 ? next_table(&l2[(va >> 21) & 511], create) : NULL;
    return l3 ? &l3[(va >> 12) & 511] : NULL;
}

uintptr_t mmu_frame(uintptr_t va) {
    uint64_t *entry = mmu_leaf(va, false);
    return entry && pte_attached(*entry) ? pte_address(*entry) : 0;
}

uintptr_t mmu_next(uintptr_t va) {
    uint64_t *l2 = next_table(&mmu_level1()[(va >> 30) & 511], false);
    if (!l2) {
        return (va | (LEVEL1_SPAN - 1)) + 1;
    }
    if (!next_table(&l2[(va >> 21) & 511], false)) {
        return (va | (LEVEL2_SPAN - 1)) + 1;
    }
    return va + PAGE_SIZE;
}

void mmu_unmap(uintptr_t va) {
    uint64_t *entry = mmu_leaf(va, false);
    if (entry) {
        *entry = 0;
    }
}

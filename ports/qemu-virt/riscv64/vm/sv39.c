/* Sv39 page tables (RISC-V privileged spec, "Sv39"): three levels of 512
 * eight-byte entries, 4 KiB pages, 39-bit virtual addresses.
 *
 * The kernel stays identity-mapped with two 1 GiB leaves: 0-1 GiB holds
 * the devices (UART 0x10000000, test device 0x100000), 2-3 GiB is RAM from
 * 0x80000000 (kernel image, .bss, the frame pool). Wasmtime gets the 1 GiB
 * window at 4 GiB, mapped with 4 KiB pages through one second-level table;
 * its leaf tables come from the frame pool when first needed, so a reserved
 * but unused range costs no RAM at all. */
#include <stdint.h>

#include "mmu.h"
#include "wasmtime-platform.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
/* Software bit (RSW): a frame is attached but PROT_NONE; V is clear, so the
 * hardware ignores the entry and any access faults. */
#define PTE_PARKED (1UL << 8)
#define PTE_PPN_SHIFT 10
#define SATP_SV39 (8UL << 60)

#define GIB (1UL << 30)

const uintptr_t vm_window_base = 4 * GIB;
const uintptr_t vm_window_size = 1 * GIB;

static uint64_t root[512] __attribute__((aligned(PAGE_SIZE)));
static uint64_t window_l1[512] __attribute__((aligned(PAGE_SIZE)));

static uint64_t pte_for(uintptr_t pa, uint64_t bits) {
    return (pa >> 12) << PTE_PPN_SHIFT | bits;
}

static uintptr_t pte_pa(uint64_t pte) {
    return (uintptr_t)(pte >> PTE_PPN_SHIFT) << 12;
}

bool mmu_init(void) {
    /* A and D preset: hardware need not update them (it may fault instead). */
    const uint64_t kernel = PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D;
    root[0] = pte_for(0, kernel);
    root[2] = pte_for(2 * GIB, kernel);
    root[vm_window_base / GIB] = pte_for((uintptr_t)window_l1, PTE_V);
    uint64_t satp = SATP_SV39 | (uintptr_t)root >> 12;
    __asm__ volatile("sfence.vma zero, zero\n\tcsrw satp, %0\n\tsfence.vma zero, zero"
                     :
                     : "r"(satp)
                     : "memory");
    return true;
}

/* The leaf entry for `va` in the window; with `create`, allocates the leaf
 * table. NULL if it does not exist (or cannot be made). */
static uint64_t *leaf(uintptr_t va, bool create) {
    uint64_t *l1 = &window_l1[(va >> 21) & 511];
    if (!(*l1 & PTE_V)) {
        if (!create) {
            return NULL;
        }
        uintptr_t table = frame_alloc();
        if (!table) {
            return NULL;
        }
        *l1 = pte_for(table, PTE_V);
    }
    return (uint64_t *)pte_pa(*l1) + ((va >> 12) & 511);
}

bool mmu_map(uintptr_t va, uintptr_t pa, uint32_t prot) {
    uint64_t *pte = leaf(va, true);
    if (!pte) {
        return false;
    }
    uint64_t bits = PTE_A | PTE_D;
    bits |= prot & WASMTIME_PROT_READ ? PTE_R : 0;
    /* Sv39 has no write-only pages: W needs R. */
    bits |= prot & WASMTIME_PROT_WRITE ? PTE_R | PTE_W : 0;
    bits |= prot & WASMTIME_PROT_EXEC ? PTE_X : 0;
    bits |= bits & (PTE_R | PTE_X) ? PTE_V : PTE_PARKED;
    *pte = pte_for(pa, bits);
    return true;
}

uintptr_t mmu_frame(uintptr_t va) {
    uint64_t *pte = leaf(va, false);
    return pte && (*pte & (PTE_V | PTE_PARKED)) ? pte_pa(*pte) : 0;
}

void mmu_unmap(uintptr_t va) {
    uint64_t *pte = leaf(va, false);
    if (pte) {
        *pte = 0;
    }
}

void mmu_flush(void) {
    /* All addresses, all address spaces: the kernel has only one. A kernel
     * with other harts must also shoot down their TLBs (SBI
     * sbi_remote_sfence_vma) before reusing a frame it unmapped. */
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

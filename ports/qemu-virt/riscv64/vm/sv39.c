/* Sv39 page tables (RISC-V privileged spec, "Sv39"): three levels of 512
 * eight-byte entries, 4 KiB pages, 39-bit virtual addresses.
 *
 * The kernel stays identity-mapped: RAM with a 1 GiB leaf (2-3 GiB, from
 * 0x80000000: kernel image, .bss, the frame pool), and only the two devices
 * it uses (the test device's page at 0x100000, the UART's 2 MiB at
 * 0x10000000). Address 0 and everything near it stays unmapped: Wasmtime's
 * code checks for null references by loading through them and relies on
 * that faulting. Wasmtime gets a window
 * at 4 GiB, mapped with 4 KiB pages: 1 GiB in vm mode, 64 GiB in full mode
 * (4 GiB reservations plus guards per memory; Sv39's lower half has 256).
 * Its second-level and leaf tables come from the frame pool when first
 * needed, so a reserved but unused range costs no RAM at all. */
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

#ifdef PORT_FULL
#define WINDOW_GIB 64
#else
#define WINDOW_GIB 1
#endif

const uintptr_t vm_window_base = 4 * GIB;
const uintptr_t vm_window_size = WINDOW_GIB * GIB;

#define TEST_DEVICE 0x100000UL
#define UART_BASE 0x10000000UL

static uint64_t root[512] __attribute__((aligned(PAGE_SIZE)));
static uint64_t devices_l1[512] __attribute__((aligned(PAGE_SIZE)));
static uint64_t devices_l0[512] __attribute__((aligned(PAGE_SIZE)));

static uint64_t pte_for(uintptr_t pa, uint64_t bits) {
    return (pa >> 12) << PTE_PPN_SHIFT | bits;
}

static uintptr_t pte_pa(uint64_t pte) {
    return (uintptr_t)(pte >> PTE_PPN_SHIFT) << 12;
}

bool mmu_init(void) {
    /* A and D preset: hardware need not update them (it may fault instead). */
    const uint64_t kernel = PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D;
    const uint64_t device = PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D;
    root[0] = pte_for((uintptr_t)devices_l1, PTE_V);
    devices_l1[0] = pte_for((uintptr_t)devices_l0, PTE_V);
    devices_l0[TEST_DEVICE >> 12] = pte_for(TEST_DEVICE, device);
    devices_l1[UART_BASE >> 21] = pte_for(UART_BASE, device);
    root[2] = pte_for(2 * GIB, kernel);
    uint64_t satp = SATP_SV39 | (uintptr_t)root >> 12;
    __asm__ volatile("sfence.vma zero, zero\n\tcsrw satp, %0\n\tsfence.vma zero, zero"
                     :
                     : "r"(satp)
                     : "memory");
    return true;
}

/* The table `entry` points to; with `create`, allocates it if missing.
 * NULL if it does not exist (or cannot be made). */
static uint64_t *next_table(uint64_t *entry, bool create) {
    if (!(*entry & PTE_V)) {
        uintptr_t table = create ? frame_alloc() : 0;
        if (!table) {
            return NULL;
        }
        *entry = pte_for(table, PTE_V);
    }
    return (uint64_t *)pte_pa(*entry);
}

/* The leaf entry for `va` in the window; with `create`, allocates the
 * tables on the way. NULL if they do not exist (or cannot be made). */
static uint64_t *leaf(uintptr_t va, bool create) {
    uint64_t *l1 = next_table(&root[(va >> 30) & 511], create);
    uint64_t *l0 = l1 ? next_table(&l1[(va >> 21) & 511], create) : NULL;
    return l0 ? &l0[(va >> 12) & 511] : NULL;
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

uintptr_t mmu_next(uintptr_t va) {
    const uintptr_t mib2 = 1UL << 21;
    uint64_t *l1 = next_table(&root[(va >> 30) & 511], false);
    if (!l1) {
        return (va | (GIB - 1)) + 1;
    }
    if (!next_table(&l1[(va >> 21) & 511], false)) {
        return (va | (mib2 - 1)) + 1;
    }
    return va + PAGE_SIZE;
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

/* Sv39 page tables (RISC-V privileged spec, "Sv39"): three levels of 512
 * eight-byte entries, 4 KiB pages, 39-bit virtual addresses.
 *
 * The kernel stays identity-mapped: RAM with a 1 GiB leaf (2-3 GiB, from
 * 0x80000000: kernel image, .bss, the frame pool), and only the devices it
 * uses (the test device's page at 0x100000, the RTC's at 0x101000, and the
 * 2 MiB at 0x10000000 that hold the UART and the virtio-mmio slots). Address 0 and everything near it stays unmapped: Wasmtime's
 * code checks for null references by loading through them and relies on
 * that faulting. Wasmtime's window and the walk through it are vm/walk.c. */
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

#define TEST_DEVICE 0x100000UL
#define RTC_BASE 0x101000UL
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
    devices_l0[RTC_BASE >> 12] = pte_for(RTC_BASE, device);
    devices_l1[UART_BASE >> 21] = pte_for(UART_BASE, device);
    root[2] = pte_for(2 * GIB, kernel);
    uint64_t satp = SATP_SV39 | (uintptr_t)root >> 12;
    __asm__ volatile("sfence.vma zero, zero\n\tcsrw satp, %0\n\tsfence.vma zero, zero"
                     :
                     : "r"(satp)
                     : "memory");
    return true;
}

uint64_t *mmu_level1(void) {
    return root;
}

bool pte_valid(uint64_t entry) {
    return entry & PTE_V;
}

uint64_t pte_table(uintptr_t table) {
    /* V without R, W or X: a pointer to the next level. */
    return pte_for(table, PTE_V);
}

uintptr_t pte_address(uint64_t entry) {
    return pte_pa(entry);
}

bool pte_attached(uint64_t entry) {
    return entry & (PTE_V | PTE_PARKED);
}

bool mmu_map(uintptr_t va, uintptr_t pa, uint32_t prot) {
    uint64_t *pte = mmu_leaf(va, true);
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

void mmu_flush(void) {
    /* All addresses, all address spaces: the kernel has only one. A kernel
     * with other harts must also shoot down their TLBs (SBI
     * sbi_remote_sfence_vma) before reusing a frame it unmapped. */
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

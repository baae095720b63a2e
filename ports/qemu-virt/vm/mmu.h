/* What the virtual-memory hooks (vm/vmem.c) need from the machine's page
 * tables. The walk is shared (vm/walk.c); building the kernel's map,
 * encoding an entry and flushing the TLB are per architecture
 * (riscv64/vm/sv39.c, aarch64/vm/vmsa4k.c). All addresses are
 * page-aligned; the kernel runs identity-mapped, so a frame's physical
 * address is also where the kernel reads and writes it. */
#ifndef MMU_H
#define MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096UL

/* The window of virtual address space handed to Wasmtime: every mapping
 * the hooks create lies inside it, and nothing else does. */
extern const uintptr_t vm_window_base, vm_window_size;

/* Builds the kernel's identity map and the window's tables, and turns
 * translation on. Returns false if the tables do not fit. */
bool mmu_init(void);

/* Maps page `va` of the window to frame `pa` with WASMTIME_PROT_* `prot`.
 * `prot` 0 keeps the frame attached but inaccessible (a later mmu_map with
 * other protections restores access to the same contents). Returns false
 * if a page-table page could not be allocated. */
bool mmu_map(uintptr_t va, uintptr_t pa, uint32_t prot);

/* The frame attached to `va` (accessible or not), or 0 if none. */
uintptr_t mmu_frame(uintptr_t va);

/* The next page after `va` that can have a frame: skips the rest of a
 * range whose page table does not exist, so walking a large reservation
 * costs one step per table, not per page. */
uintptr_t mmu_next(uintptr_t va);

/* Detaches `va` from its frame (if any); the page faults afterwards. */
void mmu_unmap(uintptr_t va);

/* Makes the CPU see the changes above (TLB invalidation; on riscv64 this
 * hart only, on aarch64 broadcast to the Inner Shareable domain). */
void mmu_flush(void);

/* Entry encoding, per architecture: what vm/walk.c needs to follow and
 * extend the tables without knowing their bits. */

/* The level-1 table (VA bits 38:30) the window's tables hang from. */
uint64_t *mmu_level1(void);
/* Whether the hardware follows `entry` (to a table or a page). */
bool pte_valid(uint64_t entry);
/* A level-1 or level-2 entry pointing at the next-level table `table`. */
uint64_t pte_table(uintptr_t table);
/* The physical address (table or frame) an entry holds. */
uintptr_t pte_address(uint64_t entry);
/* Whether a level-3 entry has a frame, accessible or parked (mmu_map with
 * `prot` 0). */
bool pte_attached(uint64_t entry);

/* The level-3 entry for `va` in the window (vm/walk.c); with `create`,
 * allocates the tables on the way. NULL if they do not exist (or cannot
 * be made). */
uint64_t *mmu_leaf(uintptr_t va, bool create);

/* The page-frame allocator (vm/frames.c): zeroed 4 KiB frames. */
uintptr_t frame_alloc(void); /* 0 when exhausted */
void frame_free(uintptr_t pa);
uintptr_t frames_total(void);
uintptr_t frames_peak(void);
uintptr_t frames_used(void);

/* mem.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

#endif

/* AArch64 stage-1 translation at EL1 (Arm ARM, "The VMSAv8-64 address
 * translation system"): 4 KiB granule, 39-bit virtual addresses (T0SZ 25),
 * so a walk starts at level 1 and has three levels of 512 eight-byte
 * descriptors, the same shape as Sv39. mmu.c builds the kernel's identity
 * map in `translation_l1` and turns the MMU on; vm/vmsa4k.c adds
 * Wasmtime's window to the same table. */
#ifndef TRANSLATION_H
#define TRANSLATION_H

#include <stdint.h>

#define DESC_VALID (1ul << 0)
#define DESC_TABLE (3ul << 0) /* levels 1-2: next-level table */
#define DESC_BLOCK (1ul << 0) /* levels 1-2: block */
#define DESC_PAGE (3ul << 0)  /* level 3: 4 KiB page */
#define DESC_ATTR_INDEX(i) ((uint64_t)(i) << 2)
#define DESC_READ_ONLY (1ul << 7) /* AP[2]; AP[1] = 0: no EL0 access */
#define DESC_INNER_SHAREABLE (3ul << 8)
#define DESC_ACCESS_FLAG (1ul << 10)
#define DESC_PXN (1ul << 53) /* not executable at EL1 */
#define DESC_UXN (1ul << 54) /* not executable at EL0 */
#define DESC_ADDRESS_MASK 0x0000fffffffff000ul

#define MAIR_INDEX_DEVICE 0 /* Device-nGnRnE */
#define MAIR_INDEX_NORMAL 1 /* Normal, write-back, read/write-allocate */

#define GIB (1ul << 30)

/* The level-1 table: VA bits 38:30, 1 GiB per entry. */
extern uint64_t translation_l1[512];

#endif

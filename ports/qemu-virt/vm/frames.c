/* The page-frame allocator: a pool of RAM the kernel owns (a page-aligned
 * array in .bss, PORT_VM_POOL_MIB large), handed out one 4 KiB frame at a
 * time through a free list threaded through the free frames themselves.
 * A kernel with a memory map would seed this list from it instead. */
#include <stddef.h>
#include <stdint.h>

#include "mmu.h"

#ifndef PORT_VM_POOL_MIB
#define PORT_VM_POOL_MIB 4
#endif

#define POOL_BYTES ((uintptr_t)PORT_VM_POOL_MIB << 20)

static uint8_t pool[POOL_BYTES] __attribute__((aligned(PAGE_SIZE)));
static uintptr_t free_list, next_unused, used, peak;

uintptr_t frame_alloc(void) {
    uintptr_t pa;
    if (free_list) {
        pa = free_list;
        free_list = *(uintptr_t *)pa;
    } else if (next_unused < POOL_BYTES) {
        /* Frames never handed out yet: .bss is zero already. */
        pa = (uintptr_t)pool + next_unused;
        next_unused += PAGE_SIZE;
    } else {
        return 0;
    }
    memset((void *)pa, 0, PAGE_SIZE);
    if (++used > peak) {
        peak = used;
    }
    return pa;
}

void frame_free(uintptr_t pa) {
    *(uintptr_t *)pa = free_list;
    free_list = pa;
    used--;
}

uintptr_t frames_total(void) {
    return POOL_BYTES / PAGE_SIZE;
}

uintptr_t frames_peak(void) {
    return peak;
}

uintptr_t frames_used(void) {
    return used;
}

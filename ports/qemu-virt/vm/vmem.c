/* Wasmtime's virtual-memory hooks (platform/wasmtime-platform.h) on top of
 * the machine's page tables (mmu.h) and the frame allocator.
 *
 * Address space: Wasmtime's mappings are carved out of one window
 * (vm_window_base, vm_window_size) with a first-fit list of free ranges.
 * Reserving (PROT_NONE) only takes a range: no frame, no page-table page.
 * A page gets a zeroed frame when it first becomes accessible (mmap_new with
 * protections, mprotect, remap), and gives it back when unmapped or remapped.
 * Nothing here is lazy: without a page-fault handler (vm mode has none) an
 * accessible page must be backed the moment it becomes accessible.
 *
 * Errors are errno-style codes, as the header allows any non-zero value. */
#include <stdint.h>

#include "mmu.h"
#include "wasmtime-platform.h"

#define ENOMEM 12
#define EINVAL 22

/* Free ranges of the window, sorted by address; adjacent ones merged. */
#define MAX_HOLES 128
static struct hole {
    uintptr_t start, end;
} holes[MAX_HOLES];
static int nholes = -1; /* -1: not yet initialised */

static uintptr_t round_up(uintptr_t n) {
    return (n + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static bool in_window(uintptr_t addr, uintptr_t size) {
    return addr % PAGE_SIZE == 0 && addr >= vm_window_base && size <= vm_window_size &&
           addr - vm_window_base <= vm_window_size - size;
}

static uintptr_t range_take(uintptr_t size) {
    if (nholes < 0) {
        holes[0] = (struct hole){vm_window_base, vm_window_base + vm_window_size};
        nholes = 1;
    }
    for (int i = 0; i < nholes; i++) {
        if (holes[i].end - holes[i].start >= size) {
            uintptr_t start = holes[i].start;
            holes[i].start += size;
            if (holes[i].start == holes[i].end) {
                for (int j = i; j + 1 < nholes; j++) {
                    holes[j] = holes[j + 1];
                }
                nholes--;
            }
            return start;
        }
    }
    return 0;
}

/* Returns [start, end) to the free list. False if the list is full (the
 * range then stays unusable, which wastes address space but is safe). */
static bool range_give(uintptr_t start, uintptr_t end) {
    int i = 0;
    while (i < nholes && holes[i].start < start) {
        i++;
    }
    bool joins_prev = i > 0 && holes[i - 1].end == start;
    bool joins_next = i < nholes && holes[i].start == end;
    if (joins_prev && joins_next) {
        holes[i - 1].end = holes[i].end;
        for (int j = i; j + 1 < nholes; j++) {
            holes[j] = holes[j + 1];
        }
        nholes--;
    } else if (joins_prev) {
        holes[i - 1].end = end;
    } else if (joins_next) {
        holes[i].start = start;
    } else {
        if (nholes == MAX_HOLES) {
            return false;
        }
        for (int j = nholes; j > i; j--) {
            holes[j] = holes[j - 1];
        }
        holes[i] = (struct hole){start, end};
        nholes++;
    }
    return true;
}

static void release_pages(uintptr_t start, uintptr_t end) {
    for (uintptr_t va = start; va < end; va = mmu_next(va)) {
        uintptr_t pa = mmu_frame(va);
        if (pa) {
            mmu_unmap(va);
            frame_free(pa);
        }
    }
}

/* Gives every page of [start, end) protections `prot`, attaching a zeroed
 * frame to pages that have none when `prot` makes them accessible; with
 * `fresh`, first drops whatever the pages held. */
static int32_t set_pages(uintptr_t start, uintptr_t end, uint32_t prot, bool fresh) {
    if (fresh) {
        /* The old translations must be gone from every TLB before the pages
         * get new frames: AArch64 requires break-before-make when a valid
         * entry's output address changes. */
        release_pages(start, end);
        mmu_flush();
    }
    int32_t status = 0;
    /* Taking access away visits only pages that can have frames. */
    for (uintptr_t va = start; va < end && !status; va = prot ? va + PAGE_SIZE : mmu_next(va)) {
        uintptr_t pa = mmu_frame(va);
        if (!pa && !prot) {
            continue; /* reserved and staying so: costs nothing */
        }
        bool new_frame = !pa;
        if (new_frame && !(pa = frame_alloc())) {
            status = ENOMEM;
        } else if (!mmu_map(va, pa, prot)) {
            if (new_frame) {
                frame_free(pa);
            }
            status = ENOMEM;
        }
    }
    mmu_flush();
    return status;
}

int32_t wasmtime_mmap_new(uintptr_t size, uint32_t prot_flags, uint8_t **ret) {
    size = round_up(size);
    if (size == 0 || size > vm_window_size) {
        return EINVAL;
    }
    uintptr_t start = range_take(size);
    if (!start) {
        return ENOMEM;
    }
    int32_t status = set_pages(start, start + size, prot_flags, false);
    if (status) {
        release_pages(start, start + size);
        mmu_flush();
        range_give(start, start + size);
        return status;
    }
    *ret = (uint8_t *)start;
    return 0;
}

int32_t wasmtime_mmap_remap(uint8_t *addr, uintptr_t size, uint32_t prot_flags) {
    uintptr_t start = (uintptr_t)addr;
    size = round_up(size);
    if (!in_window(start, size)) {
        return EINVAL;
    }
    return set_pages(start, start + size, prot_flags, true);
}

int32_t wasmtime_munmap(uint8_t *ptr, uintptr_t size) {
    uintptr_t start = (uintptr_t)ptr;
    size = round_up(size);
    if (!in_window(start, size)) {
        return EINVAL;
    }
    release_pages(start, start + size);
    mmu_flush();
    range_give(start, start + size);
    return 0;
}

int32_t wasmtime_mprotect(uint8_t *ptr, uintptr_t size, uint32_t prot_flags) {
    uintptr_t start = (uintptr_t)ptr;
    size = round_up(size);
    if (!in_window(start, size)) {
        return EINVAL;
    }
    return set_pages(start, start + size, prot_flags, false);
}

uintptr_t wasmtime_page_size(void) {
    return PAGE_SIZE;
}

/* Memory images, by copying. The image keeps its own copy in a mapping of
 * the window (the caller's bytes are valid only during the call);
 * map_at copies it into fresh frames. Sharing the frames copy-on-write
 * instead would need a page-fault handler (map read-only, copy on the
 * first write fault), which vm mode's kernel does not have; it would save
 * one copy and the RAM of unwritten pages per instance. */
struct wasmtime_memory_image {
    uint8_t *copy;
    uintptr_t len;
};

int32_t wasmtime_memory_image_new(const uint8_t *ptr, uintptr_t len,
                                  struct wasmtime_memory_image **ret) {
    *ret = NULL;
    uint8_t *copy;
    /* One page for the header, then the bytes. */
    int32_t status = wasmtime_mmap_new(PAGE_SIZE + len,
                                       WASMTIME_PROT_READ | WASMTIME_PROT_WRITE, &copy);
    if (status) {
        return status;
    }
    struct wasmtime_memory_image *image = (struct wasmtime_memory_image *)copy;
    image->copy = copy + PAGE_SIZE;
    image->len = len;
    memcpy(image->copy, ptr, len);
    *ret = image;
    return 0;
}

int32_t wasmtime_memory_image_map_at(struct wasmtime_memory_image *image, uint8_t *addr,
                                     uintptr_t len) {
    if (len > image->len) {
        return EINVAL;
    }
    int32_t status =
        wasmtime_mmap_remap(addr, len, WASMTIME_PROT_READ | WASMTIME_PROT_WRITE);
    if (!status) {
        memcpy(addr, image->copy, len);
    }
    return status;
}

void wasmtime_memory_image_free(struct wasmtime_memory_image *image) {
    wasmtime_munmap((uint8_t *)image, PAGE_SIZE + image->len);
}

/* Wasmtime's lock hooks for a kernel with one hart and no interrupts (or
 * none that run WebAssembly): nothing can ever wait, so a lock is a word
 * that records who holds it, and finding it held is a bug (a re-entrant
 * acquire), reported and stopped rather than spun on forever.
 *
 * An SMP kernel, or one that preempts threads running WebAssembly, needs
 * real locks here: an atomic compare-and-swap spin lock with interrupts
 * masked while held (short critical sections only), or the scheduler's
 * sleeping mutex and rwlock if a holder may block. The word starts as zero
 * (lazy initialisation) and must be usable as-is or point at a lock object
 * that wasmtime_sync_lock_free then releases. */
#include <stdint.h>

#include "board.h"
#include "print.h"
#include "wasmtime-platform.h"

#define WRITER UINTPTR_MAX

static _Noreturn void deadlock(const char *what) {
    print("\nCRASH: ");
    print(what);
    print(" on a lock already held: with one hart it would never be released\n");
    power_off(false);
}

void wasmtime_sync_lock_free(uintptr_t *lock) {
    (void)lock;
}

void wasmtime_sync_lock_acquire(uintptr_t *lock) {
    if (*lock) {
        deadlock("wasmtime_sync_lock_acquire");
    }
    *lock = 1;
}

void wasmtime_sync_lock_release(uintptr_t *lock) {
    *lock = 0;
}

void wasmtime_sync_rwlock_free(uintptr_t *lock) {
    (void)lock;
}

void wasmtime_sync_rwlock_read(uintptr_t *lock) {
    if (*lock == WRITER) {
        deadlock("wasmtime_sync_rwlock_read");
    }
    ++*lock;
}

void wasmtime_sync_rwlock_read_release(uintptr_t *lock) {
    --*lock;
}

void wasmtime_sync_rwlock_write(uintptr_t *lock) {
    if (*lock) {
        deadlock("wasmtime_sync_rwlock_write");
    }
    *lock = WRITER;
}

void wasmtime_sync_rwlock_write_release(uintptr_t *lock) {
    *lock = 0;
}

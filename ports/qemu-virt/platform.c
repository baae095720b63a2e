/* The platform hooks for this port: a single-CPU kernel with no threads.
 *
 * `minimal` mode needs only Wasmtime's two TLS slots (see
 * platform/wasmtime-platform.h and docs/PORTING.md, section 2). With one CPU
 * and one flow of control, "per thread" is "global": two words.
 *
 * An SMP kernel, or one with threads, must not do this. Slot 0 holds the
 * running thread's Wasmtime state; if two threads share it, one thread's
 * WebAssembly call finds the other's state. Put the two words in your thread
 * control block instead (read through the current-thread pointer, e.g. `tp`
 * on riscv64 or TPIDR_EL1 on aarch64). Per-CPU words are enough only if a
 * thread running WebAssembly can never be preempted and moved to another
 * CPU. */
#include <stddef.h>

#include "wasmtime-platform.h"

static uint8_t *tls_slots[2];

uint8_t *wasmtime_tls_get(uintptr_t slot) {
    return slot < 2 ? tls_slots[slot] : NULL;
}

void wasmtime_tls_set(uintptr_t slot, uint8_t *ptr) {
    if (slot < 2) {
        tls_slots[slot] = ptr;
    }
}

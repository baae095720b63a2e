/* The platform hooks of a microcontroller without threads.
 *
 * `minimal` and `small` need only Wasmtime's two TLS slots (see
 * platform/wasmtime-platform.h and docs/PORTING.md, section 2). With one
 * core and one flow of control, "per thread" is "global": two words. An
 * RTOS with several tasks calling WebAssembly keeps the two words in each
 * task's control block instead (e.g. FreeRTOS's thread-local storage
 * pointers), or one task's WebAssembly call finds another's state. */
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

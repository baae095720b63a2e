/* full mode: hardware traps from WebAssembly code reach Wasmtime through
 * the kernel's exception vector (boot.S, trap_entry).
 *
 * trap_entry calls wasm_trap with scause, sepc, stval and the frame pointer
 * (s0) of the interrupted code, before it does anything else. If Wasmtime's
 * handler recognises the pc as a trap point in WebAssembly code, it does not
 * return: it resumes in the frame that entered WebAssembly, with that frame's
 * stack and registers, and the call returns the trap. Leaving a trap this way,
 * without `sret`, is fine in S-mode: the hart stays in S-mode with interrupts
 * off, as before the trap (sstatus.SIE is already 0 in this kernel; a kernel
 * with interrupts must restore SIE from SPIE itself, or resume through
 * `sret` with sepc pointing at a resume stub). If the handler returns, the
 * trap is not WebAssembly's and trap_entry reports a crash.
 *
 * Page faults arrive only from guard pages (full mode reserves 4 GiB and a
 * guard per memory, and the hooks map only what is accessible); illegal
 * instructions from `unreachable` and Cranelift's other trap points
 * (c.unimp). A kernel that demand-pages its own memory would first check
 * whether the fault is one it resolves itself. */
#include <stdbool.h>
#include <stdint.h>

#include "trap_offer.h"

#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_STORE_ACCESS 7
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

void wasm_trap(uint64_t cause, uint64_t pc, uint64_t tval, uint64_t fp);

void wasm_trap(uint64_t cause, uint64_t pc, uint64_t tval, uint64_t fp) {
    switch (cause) {
    case CAUSE_ILLEGAL_INSTRUCTION:
    case CAUSE_BREAKPOINT:
        trap_offer_instruction(pc, fp);
        break;
    case CAUSE_LOAD_ACCESS:
    case CAUSE_STORE_ACCESS:
    case CAUSE_LOAD_PAGE_FAULT:
    case CAUSE_STORE_PAGE_FAULT:
        /* stval is the faulting address for these causes. */
        trap_offer_fault(pc, fp, true, tval);
        break;
    default:
        /* Interrupts, instruction faults, ecalls: never WebAssembly traps. */
        break;
    }
}

void traps_report(void) {
    trap_offer_report("stvec", "page or access faults", "illegal instructions");
}

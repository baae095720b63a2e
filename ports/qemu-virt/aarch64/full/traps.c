/* full mode: hardware traps from WebAssembly code reach Wasmtime through
 * the kernel's exception vector (VBAR_EL1; boot.S, current_el_sync).
 *
 * current_el_sync calls wasm_trap with ESR_EL1, ELR_EL1, FAR_EL1 and the
 * frame pointer (x29) of the interrupted code, before it does anything
 * else. If Wasmtime's handler recognises the pc as a trap point in
 * WebAssembly code, it does not return: it resumes in the frame that
 * entered WebAssembly, with that frame's stack and registers, and the call
 * returns the trap. Leaving an exception this way, without `eret`, keeps
 * the core at EL1 with PSTATE.DAIF as exception entry set it: all
 * interrupts masked. This kernel runs with them masked anyway; a kernel
 * with interrupts must restore DAIF from SPSR_EL1 itself (or resume
 * through `eret` with ELR_EL1 pointing at a resume stub). If the handler
 * returns, the exception is not WebAssembly's and the vector reports a
 * crash.
 *
 * Data aborts arrive only from guard pages and address 0 (full mode
 * reserves 4 GiB and a guard per memory, the hooks map only what is
 * accessible, and Wasmtime loads through null references); undefined
 * instructions from `unreachable` and Cranelift's other trap points, which
 * on aarch64 are `udf #0xc11f` (Cranelift 0.135's TRAP_OPCODE). `brk`
 * (Cranelift's `debugtrap`) is offered too, as riscv64 offers `ebreak`;
 * Wasmtime decides from the pc whether it is a trap point.
 * Instruction aborts are not: their pc is the address that could not be
 * fetched, never a trap point in WebAssembly code, so Wasmtime would turn
 * them down anyway. A kernel that demand-pages its own memory would first
 * check whether the fault is one it resolves itself. */
#include <stdbool.h>
#include <stdint.h>

#include "trap_offer.h"

/* ESR_EL1.EC, the exception class (bits 31:26). */
#define EC_UNKNOWN 0x00           /* `udf` and other undefined encodings */
#define EC_DATA_ABORT_SAME_EL 0x25 /* the kernel and WebAssembly run at EL1 */
#define EC_BRK 0x3c
/* ESR_EL1.ISS.FnV for data aborts: FAR_EL1 does not hold the address. */
#define ISS_FNV (1ul << 10)

void wasm_trap(uint64_t esr, uint64_t pc, uint64_t far, uint64_t fp);

void wasm_trap(uint64_t esr, uint64_t pc, uint64_t far, uint64_t fp) {
    switch (esr >> 26 & 0x3f) {
    case EC_UNKNOWN:
    case EC_BRK:
        trap_offer_instruction(pc, fp);
        break;
    case EC_DATA_ABORT_SAME_EL:
        trap_offer_fault(pc, fp, !(esr & ISS_FNV), far);
        break;
    default:
        /* Instruction aborts, alignment faults, system calls: never
         * WebAssembly traps. */
        break;
    }
}

void traps_report(void) {
    trap_offer_report("VBAR_EL1", "data aborts", "undefined instructions (udf, brk)");
}

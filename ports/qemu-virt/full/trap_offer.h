/* full mode: what both exception vectors share once they have classified a
 * trap (aarch64/full/traps.c, riscv64/full/traps.c): Wasmtime's handler,
 * and counts of what was offered to it, so a run shows that the trap
 * samples went through the vector. */
#ifndef TRAP_OFFER_H
#define TRAP_OFFER_H

#include <stdbool.h>
#include <stdint.h>

/* A memory access faulted at `pc`; `address` is the faulting address when
 * `has_address`. If Wasmtime's handler recognises `pc` as a trap point in
 * WebAssembly code, this does not return. */
void trap_offer_fault(uint64_t pc, uint64_t fp, bool has_address, uint64_t address);

/* An instruction at `pc` trapped (undefined, illegal, breakpoint); as
 * above. */
void trap_offer_instruction(uint64_t pc, uint64_t fp);

/* Prints "traps through <vector>: N <faults>, N <instructions>". */
void trap_offer_report(const char *vector, const char *faults, const char *instructions);

#endif

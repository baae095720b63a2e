/* See trap_offer.h. */
#include "trap_offer.h"

#include "print.h"
#include "wasmtime-platform.h"

static wasmtime_trap_handler_t handler;
static uint64_t offered_faults, offered_instructions;

int32_t wasmtime_init_traps(wasmtime_trap_handler_t h) {
    handler = h;
    return 0;
}

void trap_offer_fault(uint64_t pc, uint64_t fp, bool has_address, uint64_t address) {
    if (handler) {
        offered_faults++;
        handler(pc, fp, has_address, has_address ? address : 0);
    }
}

void trap_offer_instruction(uint64_t pc, uint64_t fp) {
    if (handler) {
        offered_instructions++;
        handler(pc, fp, false, 0);
    }
}

void trap_offer_report(const char *vector, const char *faults, const char *instructions) {
    print("traps through ");
    print(vector);
    print(": ");
    print_u64(offered_faults);
    print(" ");
    print(faults);
    print(", ");
    print_u64(offered_instructions);
    print(" ");
    print(instructions);
    print("\n");
}

/* The exception handler's C half: any exception is a crash in this kernel
 * (the embedding never takes one on purpose), so print where it happened
 * and stop with a failure. */
#include "board.h"
#include "print.h"

_Noreturn void crash(uint64_t cause, uint64_t pc, uint64_t address);

_Noreturn void crash(uint64_t cause, uint64_t pc, uint64_t address) {
    print("\nCRASH: exception cause ");
    print_hex(cause);
    print(" at pc ");
    print_hex(pc);
    print(", address ");
    print_hex(address);
    print("\n");
    power_off(false);
}

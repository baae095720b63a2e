/* A fault is a crash in this firmware (Pulley checks every WebAssembly trap
 * in software, so the embedding never faults on purpose): print where it
 * happened and stop with a failure. */
#include "board.h"
#include "print.h"

_Noreturn void crash(uint32_t cause, uint32_t pc, uint32_t address);

_Noreturn void crash(uint32_t cause, uint32_t pc, uint32_t address) {
    print("\nCRASH: exception cause ");
    print_hex(cause);
    print(" at pc ");
    print_hex(pc);
    print(", address ");
    print_hex(address);
    print("\n");
    power_off(false);
}

/* What the port's portable code (runner, hooks, printing) needs from the
 * machine: one implementation per architecture, in riscv64/ and aarch64/. */
#ifndef BOARD_H
#define BOARD_H

#include <stdbool.h>
#include <stdint.h>

/* The name in PASS/FAIL lines, e.g. "riscv64-virt". */
extern const char board_name[];

/* Writes one byte to the serial console, waiting while its FIFO is full. */
void console_putc(char c);

/* Stops the machine. `ok` is the run's verdict; machines that can pass a
 * status on (riscv64 virt's test device) make a failure visible to the
 * program that started them. */
_Noreturn void power_off(bool ok);

/* Stops the machine with an exit status for the program that started QEMU
 * (build.sh --program): riscv64 through the test device, aarch64 through
 * semihosting's SYS_EXIT_EXTENDED, which needs QEMU's
 * `-semihosting-config enable=on,target=native` (without it the call
 * traps). Codes are 0..255. */
_Noreturn void power_exit(uint32_t code);

/* A free-running counter and its frequency, both counting from reset. */
uint64_t timer_ticks(void);
uint64_t timer_hz(void);

/* full mode: prints how many traps the exception vector offered Wasmtime,
 * by kind (full/traps.c). */
void traps_report(void);

#endif

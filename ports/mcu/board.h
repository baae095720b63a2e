/* What the port's portable code (runner, hooks, printing) needs from the
 * board: one implementation per board, in riscv32-virt/ and cortex-m4/. */
#ifndef BOARD_H
#define BOARD_H

#include <stdbool.h>
#include <stdint.h>

/* The name in PASS/FAIL lines, e.g. "riscv32-virt". */
extern const char board_name[];

/* Writes one byte to the serial console, waiting while it is busy. */
void console_putc(char c);

/* Stops the machine; `ok` is the run's verdict, which QEMU turns into its
 * exit status on both boards (the riscv32 test device, Arm semihosting). */
_Noreturn void power_off(bool ok);

/* A counter from reset and its frequency (the boot-time figure only). */
uint64_t timer_ticks(void);
uint64_t timer_hz(void);

#endif

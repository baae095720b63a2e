/* What the OS services (the files of os/, platform/embedding-os.h) need from the
 * machine, beyond board.h's console and counter: one implementation per
 * architecture in riscv64/ and aarch64/. */
#ifndef OS_BOARD_H
#define OS_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads the real-time clock: 0 and the time since 1970, or -1 if there is
 * none. */
int rtc_read(uint64_t *seconds, uint32_t *nanoseconds);

/* Fills `buf` from the hardware entropy source: 0, or -1 if there is none
 * or it failed. */
int rng_fill(uint8_t *buf, size_t len);

/* A received byte from the serial console, or -1 if none is waiting. */
int console_getc(void);

/* Whether a received byte is waiting (console_getc would return it). */
bool console_rx_ready(void);

/* Arms the timer to raise its interrupt when timer_ticks() reaches
 * `ticks`. The interrupt is enabled at the timer (and the interrupt
 * controller) but stays masked at the CPU: it ends a `wfi` without being
 * taken, so the kernel needs no interrupt handler. */
void timer_arm(uint64_t ticks);

/* Withdraws the interrupt, so that the next `wfi` waits again. */
void timer_disarm(void);

/* Waits for an interrupt: `wfi`. */
void cpu_wait(void);

#endif

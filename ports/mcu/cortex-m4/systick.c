/* The clock: the core's SysTick, counting the 168 MHz processor clock
 * down from a 1 ms reload; its interrupt counts milliseconds. The 24-bit
 * counter alone would wrap every 0.1 s. */
#include <stdint.h>

#include "../board.h"

#define SYST_CSR (*(volatile uint32_t *)0xe000e010UL)
#define SYST_RVR (*(volatile uint32_t *)0xe000e014UL)
#define SYST_CVR (*(volatile uint32_t *)0xe000e018UL)
#define CSR_ENABLE (1u << 0)
#define CSR_TICKINT (1u << 1)
#define CSR_CLKSOURCE_CPU (1u << 2)
#define CPU_HZ 168000000u

void systick_start(void);
void systick_handler(void);

/* 32 bits: an aligned word is read and written atomically on Cortex-M, so
 * the handler and timer_ticks need no lock (49 days before it wraps). */
static volatile uint32_t milliseconds;

void systick_start(void) {
    SYST_RVR = CPU_HZ / 1000 - 1;
    SYST_CVR = 0;
    SYST_CSR = CSR_ENABLE | CSR_TICKINT | CSR_CLKSOURCE_CPU;
}

void systick_handler(void) {
    milliseconds = milliseconds + 1;
}

uint64_t timer_ticks(void) {
    return milliseconds;
}

uint64_t timer_hz(void) {
    return 1000;
}

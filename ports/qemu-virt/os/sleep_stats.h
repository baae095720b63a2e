/* For the in-kernel checks (os/checks.c): proof that sleeps halt. */
#ifndef SLEEP_STATS_H
#define SLEEP_STATS_H

#include <stdint.h>

/* How many times embedding_os_sleep_until's `wfi` has returned. */
uint64_t sleep_wakeups(void);

#endif

/* In-kernel checks of the OS services' contracts (os/checks.c). */
#ifndef OS_CHECKS_H
#define OS_CHECKS_H

#include <stddef.h>

/* Runs every check, printing `PASS <board>/<mode> os-<service>` or
 * `FAIL ...: <why>` for each, and adds them to the counts. */
void os_checks_run(size_t *passed, size_t *failed);

/* How many checks os_checks_run runs: each prints one line. */
extern const size_t os_check_count;

#endif

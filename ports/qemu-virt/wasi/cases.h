/* The WASI guest cases packed into a test image (wasi/cases_bundle.py):
 * each run in a fresh program with its own standard input, its output
 * compared with the case's expected files as it is written. */
#ifndef WASI_CASES_H
#define WASI_CASES_H

#include <stddef.h>

#include "embedding.h"

/* Runs every case of the image's bundle and prints a
 * "PASS|FAIL <board>/<mode> <name>" line each (the bundle's names carry
 * their group: wasi/<case>, wasi-testsuite/<suite>/<test>); adds to the counts.
 * `*expected` gets how many PASS lines a clean run prints. */
void wasi_cases_run(const EmbApi *api, const EmbEngine *engine, const char *mode, size_t *passed,
                    size_t *failed, size_t *expected);

#endif

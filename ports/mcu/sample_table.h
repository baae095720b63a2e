/* The samples as data: `host port-samples --mode M --arch A OUT.c` writes the
 * table this header declares, generated from the same description
 * (host/src/samples.rs) the Linux runner interprets, so a port carries no
 * expectations of its own. runner.c interprets it. */
#ifndef SAMPLE_TABLE_H
#define SAMPLE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "embedding.h"

enum sample_op {
    /* Define host function `number` (enum sample_host_func) as module_name.name. */
    SAMPLE_DEFINE_HOST_FUNC,
    /* Load and instantiate `artifact`; the store must number it `number`. */
    SAMPLE_INSTANTIATE,
    /* Make the exports of `instance` importable as module `name`. */
    SAMPLE_REGISTER,
    /* Call export `name` of `instance` with `args`; expect exactly `results`. */
    SAMPLE_CALL,
    /* The same, but expect a trap with code `trap_code` (`trap_name`). */
    SAMPLE_CALL_TRAPS,
    /* Global `name` of `instance` must equal results[0]. */
    SAMPLE_GLOBAL_GET,
    SAMPLE_SET_FUEL,
    /* The store's remaining fuel must be at most `number`. */
    SAMPLE_FUEL_AT_MOST,
    /* The store's host functions must have run `number` times in all. */
    SAMPLE_HOST_CALLS,
};

/* The fixed set of host functions a sample may define. */
enum sample_host_func {
    /* (param i32) (result i32): the argument times three, wrapping. */
    SAMPLE_HOST_FUNC_TRIPLE,
};

/* Every artifact array is declared with this: `module_load_in_place` asks
 * for 16-byte alignment (the envelope's 64-byte header keeps the payload as
 * aligned as Wasmtime's own copy would be); `module_load` does not care. */
#define SAMPLE_ARTIFACT_ALIGN __attribute__((aligned(16)))

struct sample_artifact {
    const uint8_t *bytes;
    size_t len;
};

struct sample_step {
    enum sample_op op;
    const char *name;
    const char *module_name;
    const struct sample_artifact *artifact;
    uint32_t instance;
    const EmbVal *args;
    size_t nargs;
    const EmbVal *results;
    size_t nresults;
    uint8_t trap_code;
    const char *trap_name;
    uint64_t number;
};

/* Each sample runs its steps against one fresh store that starts with
 * `sample_store_fuel` fuel. */
struct sample {
    const char *name;
    const struct sample_step *steps;
    size_t nsteps;
};

extern const struct sample samples[];
extern const size_t sample_count;
extern const uint64_t sample_store_fuel;
/* The mode the artifacts were precompiled for ("minimal" or "small"). */
extern const char sample_mode[];
/* Samples the port left out of its table (`host port-samples --skip`), to
 * be reported as not run; NULL ends the list. */
extern const char *const sample_skipped[];

#endif

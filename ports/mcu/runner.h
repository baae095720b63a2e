/* Runs one sample of the generated table through the embedding. */
#ifndef RUNNER_H
#define RUNNER_H

#include <stdbool.h>

#include "embedding.h"
#include "sample_table.h"

/* Why a sample failed. */
struct failure {
    /* The failing step and its number, counted from 1 as on Linux; NULL
     * and 0 if the store could not be set up. */
    const struct sample_step *step;
    size_t number;
    const char *why;
    /* The embedding's error, if it returned one; the caller frees it. */
    EmbError *error;
    /* For a wrong value: what came back and what the table expects. */
    bool mismatch;
    EmbVal got, expected;
};

/* Runs `sample` in a fresh store of `engine`; fills `failure` and returns
 * false at the first step that does not do what the table says. */
bool run_sample(const EmbApi *api, const EmbEngine *engine, const struct sample *sample,
                struct failure *failure);

#endif

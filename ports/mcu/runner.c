/* Interprets the generated sample table: the same steps and expectations
 * as the Linux runner (host/src/sample_run.rs), checked here, on the
 * target. ports/qemu-virt/runner.c with one change: modules are loaded in
 * place, from flash. */
#include "runner.h"

#include <stddef.h>

static size_t text_len(const char *s) {
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

/* Floats compare by bit pattern, as on Linux: NaN payloads and the sign of
 * zero count. */
static bool same_value(const EmbVal *a, const EmbVal *b) {
    if (a->kind != b->kind) {
        return false;
    }
    switch (a->kind) {
    case EMB_VAL_KIND_I32:
        return a->of.i32 == b->of.i32;
    case EMB_VAL_KIND_I64:
        return a->of.i64 == b->of.i64;
    case EMB_VAL_KIND_F32:
        return a->of.f32_bits == b->of.f32_bits;
    case EMB_VAL_KIND_F64:
        return a->of.f64_bits == b->of.f64_bits;
    default:
        return false; /* the generator emits no other kinds */
    }
}

/* Host functions get the store's call counter as their environment. */
static int32_t triple(void *env, const EmbVal *args, uintptr_t nargs, EmbVal *results,
                      uintptr_t nresults) {
    *(uint64_t *)env += 1;
    if (nargs != 1 || nresults != 1 || args[0].kind != EMB_VAL_KIND_I32) {
        return 1;
    }
    results[0].kind = EMB_VAL_KIND_I32;
    results[0].of.i32 = (int32_t)((uint32_t)args[0].of.i32 * 3u);
    return 0;
}

/* Modules loaded in place so far in this sample. Wasmtime registers code
 * by address, so bytes loaded in place back one module at a time: a second
 * instantiation of the same artifact reuses its module rather than load the
 * bytes again (the embedding refuses that while the first is in use). */
#define MAX_MODULES 8

struct loaded {
    const struct sample_artifact *artifact;
    EmbModule *module;
};

struct run {
    const EmbApi *api;
    EmbStore *store;
    struct loaded modules[MAX_MODULES];
    size_t nmodules;
    uint64_t host_calls;
    const char *why;
    EmbError *error;
    bool mismatch;
    EmbVal got, expected;
};

/* Records a failed API call; true if it succeeded. */
static bool ok(struct run *run, EmbError *error, const char *why) {
    if (error) {
        run->why = why;
        run->error = error;
    }
    return error == NULL;
}

static bool fail(struct run *run, const char *why) {
    run->why = why;
    return false;
}

static bool wrong_value(struct run *run, const EmbVal *got, const EmbVal *expected,
                        const char *why) {
    run->mismatch = true;
    run->got = *got;
    run->expected = *expected;
    return fail(run, why);
}

static bool define_host_func(struct run *run, const struct sample_step *step) {
    static const EmbValKind i32[] = {EMB_VAL_KIND_I32};
    if (step->number != SAMPLE_HOST_FUNC_TRIPLE) {
        return fail(run, "unknown host function");
    }
    return ok(run,
              run->api->define_func(run->store, (const uint8_t *)step->module_name,
                                    text_len(step->module_name), (const uint8_t *)step->name,
                                    text_len(step->name), i32, 1, i32, 1, triple,
                                    &run->host_calls),
              "defining the host function failed");
}

/* The module of `artifact`: loaded in place on first use, then reused. */
static EmbModule *module_of(struct run *run, const EmbEngine *engine,
                            const struct sample_artifact *artifact) {
    for (size_t i = 0; i < run->nmodules; i++) {
        if (run->modules[i].artifact == artifact) {
            return run->modules[i].module;
        }
    }
    if (run->nmodules == MAX_MODULES) {
        fail(run, "too many modules in one sample for the runner");
        return NULL;
    }
    EmbModule *module = NULL;
    /* In place: the bytecode stays in flash and Wasmtime reads it there,
     * so loading a module costs RAM only for its metadata. */
    if (!ok(run, run->api->module_load_in_place(engine, artifact->bytes, artifact->len, &module),
            "loading the artifact in place failed")) {
        return NULL;
    }
    run->modules[run->nmodules++] = (struct loaded){artifact, module};
    return module;
}

static bool instantiate(struct run *run, const EmbEngine *engine, const struct sample_step *step) {
    EmbModule *module = module_of(run, engine, step->artifact);
    uint32_t index = 0;
    if (!module) {
        return false;
    }
    bool done = ok(run, run->api->instantiate(run->store, module, &index), "instantiation failed");
    if (done && index != step->number) {
        return fail(run, "the new instance has an unexpected index");
    }
    return done;
}

static bool call(struct run *run, const struct sample_step *step) {
    EmbVal results[4];
    uintptr_t nresults = 0;
    size_t cap = step->op == SAMPLE_CALL_TRAPS ? 1 : step->nresults;
    if (cap > sizeof results / sizeof results[0]) {
        return fail(run, "too many results for the runner");
    }
    EmbError *error =
        run->api->call(run->store, step->instance, (const uint8_t *)step->name,
                       text_len(step->name), step->args, step->nargs, results, cap, &nresults);
    if (step->op == SAMPLE_CALL_TRAPS) {
        if (!error) {
            return fail(run, "returned, expected a trap");
        }
        run->error = error;
        if (error->kind != EMB_ERROR_KIND_TRAP) {
            return fail(run, "failed without trapping");
        }
        if (error->trap_code != step->trap_code) {
            return fail(run, "trapped with the wrong trap code");
        }
        run->api->error_free(error);
        run->error = NULL;
        return true;
    }
    if (!ok(run, error, "the call failed")) {
        return false;
    }
    if (nresults != step->nresults) {
        return fail(run, "returned the wrong number of results");
    }
    for (size_t i = 0; i < nresults; i++) {
        if (!same_value(&results[i], &step->results[i])) {
            return wrong_value(run, &results[i], &step->results[i], "returned a wrong result");
        }
    }
    return true;
}

static bool global_get(struct run *run, const struct sample_step *step) {
    EmbVal value;
    if (!ok(run,
            run->api->global_get(run->store, step->instance, (const uint8_t *)step->name,
                                 text_len(step->name), &value),
            "reading the global failed")) {
        return false;
    }
    return same_value(&value, &step->results[0]) ||
           wrong_value(run, &value, &step->results[0], "the global has a wrong value");
}

static bool fuel_at_most(struct run *run, uint64_t most) {
    uint64_t left = 0;
    if (!ok(run, run->api->store_get_fuel(run->store, &left), "reading fuel failed")) {
        return false;
    }
    return left <= most || fail(run, "more fuel left than expected");
}

static bool run_step(struct run *run, const EmbEngine *engine, const struct sample_step *step) {
    switch (step->op) {
    case SAMPLE_DEFINE_HOST_FUNC:
        return define_host_func(run, step);
    case SAMPLE_INSTANTIATE:
        return instantiate(run, engine, step);
    case SAMPLE_REGISTER:
        return ok(run,
                  run->api->register_instance(run->store, step->instance,
                                              (const uint8_t *)step->name, text_len(step->name)),
                  "registering the instance failed");
    case SAMPLE_CALL:
    case SAMPLE_CALL_TRAPS:
        return call(run, step);
    case SAMPLE_GLOBAL_GET:
        return global_get(run, step);
    case SAMPLE_SET_FUEL:
        return ok(run, run->api->store_set_fuel(run->store, step->number), "setting fuel failed");
    case SAMPLE_FUEL_AT_MOST:
        return fuel_at_most(run, step->number);
    case SAMPLE_HOST_CALLS:
        return run->host_calls == step->number ||
               fail(run, "host functions ran an unexpected number of times");
    }
    return fail(run, "unknown step");
}

bool run_sample(const EmbApi *api, const EmbEngine *engine, const struct sample *sample,
                struct failure *failure) {
    struct run run = {.api = api};
    bool passed = ok(&run, api->store_new(engine, &run.store), "creating the store failed") &&
                  ok(&run, api->store_set_fuel(run.store, sample_store_fuel), "setting fuel failed");
    size_t n = 0;
    for (; passed && n < sample->nsteps; n++) {
        passed = run_step(&run, engine, &sample->steps[n]);
    }
    if (!passed) {
        failure->number = n;
        failure->step = n ? &sample->steps[n - 1] : NULL;
        failure->why = run.why;
        failure->error = run.error;
        failure->mismatch = run.mismatch;
        failure->got = run.got;
        failure->expected = run.expected;
    }
    for (size_t i = 0; i < run.nmodules; i++) {
        api->module_free(run.modules[i].module);
    }
    if (run.store) {
        api->store_free(run.store);
    }
    return passed;
}

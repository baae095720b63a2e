/* The firmware's main: runs every sample of the generated table through the
 * embedding, prints one PASS or FAIL line per sample, each ending with the
 * heap's high-water mark so far (the RAM figure a board is sized by), a
 * summary, and powers the machine off with the verdict. */
#include <stdbool.h>

#include "board.h"
#include "embedding.h"
#include "print.h"
#include "runner.h"
#include "sample_table.h"
#include "stack_use.h"

#ifdef PORT_SMALL
#define PORT_MODE EMB_MODE_SMALL
#else
#define PORT_MODE EMB_MODE_MINIMAL
#endif

static void print_prefix(const char *verdict, const char *sample) {
    print(verdict);
    print(" ");
    print(board_name);
    print("/");
    print(sample_mode);
    print(" ");
    print(sample);
}

/* The embedding cannot continue after a panic: report it and stop. */
static void on_panic(const uint8_t *message, uintptr_t len) {
    print("\nPANIC in the embedding: ");
    print_bytes(message, len);
    print("\n");
    power_off(false);
}

/* A value as the kind and bit pattern the table compares. */
static void print_value(const EmbVal *v) {
    static const char *const kinds[] = {"i32", "i64", "f32", "f64"};
    if (v->kind > EMB_VAL_KIND_F64) {
        print("a value of kind ");
        print_u64(v->kind);
        return;
    }
    print(kinds[v->kind]);
    print(" ");
    print_hex(v->kind == EMB_VAL_KIND_I32 || v->kind == EMB_VAL_KIND_F32 ? (uint32_t)v->of.i32
                                                                         : (uint64_t)v->of.i64);
}

static void print_failure(const char *sample, const struct failure *f) {
    print_prefix("FAIL", sample);
    print(": ");
    if (f->step) {
        print("step ");
        print_u64(f->number);
        if (f->step->name) {
            print(" (");
            print(f->step->name);
            print(")");
        }
        print(": ");
    }
    print(f->why);
    if (f->mismatch) {
        print(": got ");
        print_value(&f->got);
        print(", expected ");
        print_value(&f->expected);
    }
    if (f->step && f->step->op == SAMPLE_CALL_TRAPS) {
        print(", expected trap ");
        print(f->step->trap_name);
    }
    if (f->error) {
        print(": ");
        print_bytes(f->error->message, f->error->message_len);
    }
}

/* Reports a failure of setup (not of a sample) and stops. */
static _Noreturn void setup_failed(const char *what, EmbError *error) {
    print_prefix("FAIL", what);
    if (error) {
        print(": ");
        print_bytes(error->message, error->message_len);
    }
    print("\n0 passed, 1 failed\n");
    power_off(false);
}

/* The epoch entries must refuse on a target without 64-bit atomics, with
 * the error saying why, rather than pretend to arm a deadline. */
static bool epochs_refused(const EmbApi *api, const EmbEngine *engine) {
    EmbStore *store = NULL;
    if (api->store_new(engine, &store)) {
        return false;
    }
    EmbError *error = api->store_set_epoch_deadline(store, 1);
    bool refused = error != NULL && !api->engine_increment_epoch(engine);
    if (error) {
        print("epochs: ");
        print_bytes(error->message, error->message_len);
        print("\n");
        api->error_free(error);
    }
    api->store_free(store);
    return refused;
}

_Noreturn void kernel_main(void) {
    stack_paint();
    const EmbApi *api = embedding_api();
    if (api->abi_version != EMB_ABI_VERSION || api->mode != PORT_MODE) {
        setup_failed("abi", NULL);
    }
    api->set_panic_hook(on_panic);
    EmbEngine *engine = NULL;
    EmbError *error = api->engine_new(&engine);
    if (error) {
        setup_failed("engine", error);
    }
    if (!epochs_refused(api, engine)) {
        setup_failed("epochs (store_set_epoch_deadline did not refuse)", NULL);
    }
    uint64_t first_pass = 0;
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < sample_count; i++) {
        struct failure failure = {0};
        if (run_sample(api, engine, &samples[i], &failure)) {
            if (!first_pass) {
                first_pass = timer_ticks();
            }
            print_prefix("PASS", samples[i].name);
            passed++;
        } else {
            print_failure(samples[i].name, &failure);
            api->error_free(failure.error);
            failed++;
        }
        print(" (heap peak so far ");
        print_u64(api->heap_peak());
        print(")\n");
    }
    api->engine_free(engine);
    /* Left out by the build because the board cannot hold them: said, and
     * counted neither as passed nor as failed. */
    for (size_t i = 0; sample_skipped[i]; i++) {
        print_prefix("SKIP", sample_skipped[i]);
        print(": left out of this image (host port-samples --skip): it needs more RAM than "
              "the board has; not run, not counted as passed\n");
    }
    if (first_pass) {
        print("first PASS: ");
        print_u64(first_pass * 1000 / timer_hz());
        print(" ms after reset\n");
    }
    print("heap: peak ");
    print_u64(api->heap_peak());
    print(" of ");
    print_u64(api->heap_size);
    print(" bytes, ");
    print_u64(api->heap_used());
    print(" still in use\n");
    print("stack: peak ");
    print_u64(stack_peak());
    print(" of ");
    print_u64(stack_size());
    print(" bytes\n");
    print_u64(passed);
    print(" passed, ");
    print_u64(failed);
    print(" failed\n");
    power_off(failed == 0 && passed == sample_count);
}

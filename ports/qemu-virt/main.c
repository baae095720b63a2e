/* The kernel's main: runs every sample of the generated table through the
 * embedding, prints one PASS or FAIL line per sample and a summary, and
 * powers the machine off with the verdict. */
#include <stdbool.h>

#include "board.h"
#include "embedding.h"
#include "os/checks.h"
#include "print.h"
#include "runner.h"
#include "sample_table.h"
#include "wasi/cases.h"
#ifdef PORT_VM
#include "vm/mmu.h"
#ifdef PORT_FULL
#define PORT_MODE EMB_MODE_FULL
#else
#define PORT_MODE EMB_MODE_VM
#endif
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
    print("\n");
}

static void print_ms_since_reset(const char *what, uint64_t ticks) {
    print(what);
    print(": ");
    print_u64(ticks * 1000 / timer_hz());
    print(" ms after reset\n");
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

_Noreturn void kernel_main(void) {
    print_ms_since_reset("kernel entered", timer_ticks());
    const EmbApi *api = embedding_api();
    if (api->abi_version != EMB_ABI_VERSION || api->mode != PORT_MODE) {
        setup_failed("abi", NULL);
    }
#ifdef PORT_VM
    /* vm mode: Wasmtime maps memory and code through the page tables. */
    if (!mmu_init()) {
        setup_failed("paging", NULL);
    }
#endif
    api->set_panic_hook(on_panic);
    EmbEngine *engine = NULL;
    EmbError *error = api->engine_new(&engine);
    if (error) {
        setup_failed("engine", error);
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
            print("\n");
            passed++;
        } else {
            print_failure(samples[i].name, &failure);
            api->error_free(failure.error);
            failed++;
        }
    }
    /* The guest cases of guests/cases/ that a kernel can run
     * (wasi/cases_bundle.py), after the samples so that "first PASS"
     * still times the first sample. */
    size_t wasi_cases = 0;
    wasi_cases_run(api, engine, sample_mode, &passed, &failed, &wasi_cases);
    api->engine_free(engine);
    /* The OS services a wasi build will import (os/), checked after the
     * samples so that "first PASS" still times the first sample; their
     * lines are counted with the samples'. */
    os_checks_run(&passed, &failed);
    if (first_pass) {
        print_ms_since_reset("first PASS", first_pass);
    }
    print("heap: peak ");
    print_u64(api->heap_peak());
    print(" of ");
    print_u64(api->heap_size);
    print(" bytes, ");
    print_u64(api->heap_used());
    print(" still in use\n");
#ifdef PORT_VM
    print("frames: peak ");
    print_u64(frames_peak() * PAGE_SIZE);
    print(" of ");
    print_u64(frames_total() * PAGE_SIZE);
    print(" bytes, ");
    print_u64(frames_used() * PAGE_SIZE);
    print(" still in use\n");
#endif
#ifdef PORT_FULL
    traps_report();
#endif
    print_u64(passed);
    print(" passed, ");
    print_u64(failed);
    print(" failed\n");
    power_off(failed == 0 && passed == sample_count + os_check_count + wasi_cases);
}

/*
 * The cross-architecture sample runner: a small Linux program, built with
 * a cross C compiler for aarch64 or riscv64 and run under qemu-user, that
 * loads an embedding the way the x86_64 host does (the platform library
 * RTLD_GLOBAL first, then libembedding.so) and runs the sample table
 * compiled into it.
 *
 * The table is what `host port-samples --mode M --arch A` writes: every
 * module precompiled on x86_64 for this architecture's -unknown-none
 * target with the Config of modes.rs, and the steps and expected results of
 * host/src/samples.rs. It is interpreted by the bare-metal port's runner
 * (ports/qemu-virt/runner.c), so a sample means the same thing on every
 * platform. Nothing here compiles WebAssembly, which keeps Cranelift (and
 * a cross build of the Rust host) out of the picture.
 *
 *   samples PLATFORM.so EMBEDDING.so
 *
 * Prints "PASS <arch>/<mode> <sample>" or "FAIL <arch>/<mode> <sample>:
 * <why>" per sample, then "N passed, N failed"; exits 0 only if every
 * sample passed.
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "embedding.h"
#include "runner.h"
#include "sample_table.h"

#if defined(__aarch64__)
#define ARCH "aarch64"
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH "riscv64"
#elif defined(__x86_64__)
#define ARCH "x86_64"
#else
#error "name this architecture as the README's output lines do"
#endif

static void on_panic(const uint8_t *message, uintptr_t len) {
    printf("PANIC in the embedding: %.*s\n", (int)len, (const char *)message);
    fflush(stdout);
}

static void print_value(const EmbVal *v) {
    static const char *const kinds[] = {"i32", "i64", "f32", "f64"};
    if (v->kind > EMB_VAL_KIND_F64) {
        printf("a value of kind %u", (unsigned)v->kind);
    } else if (v->kind == EMB_VAL_KIND_I32 || v->kind == EMB_VAL_KIND_F32) {
        printf("%s 0x%" PRIx32, kinds[v->kind], (uint32_t)v->of.i32);
    } else {
        printf("%s 0x%" PRIx64, kinds[v->kind], (uint64_t)v->of.i64);
    }
}

static void print_failure(const char *sample, const struct failure *f) {
    printf("FAIL %s/%s %s: ", ARCH, sample_mode, sample);
    if (f->step) {
        printf("step %zu%s%s%s: ", f->number, f->step->name ? " (" : "",
               f->step->name ? f->step->name : "", f->step->name ? ")" : "");
    }
    fputs(f->why, stdout);
    if (f->mismatch) {
        fputs(": got ", stdout);
        print_value(&f->got);
        fputs(", expected ", stdout);
        print_value(&f->expected);
    }
    if (f->step && f->step->op == SAMPLE_CALL_TRAPS) {
        printf(", expected trap %s", f->step->trap_name);
    }
    if (f->error) {
        printf(": %.*s", (int)f->error->message_len, (const char *)f->error->message);
    }
    putchar('\n');
}

/* The mode the table was generated for, as the embedding names it. */
static EmbMode table_mode(void) {
    if (strcmp(sample_mode, "vm") == 0) {
        return EMB_MODE_VM;
    }
    if (strcmp(sample_mode, "full") == 0) {
        return EMB_MODE_FULL;
    }
    return EMB_MODE_MINIMAL;
}

static int setup_failed(const char *what, const char *why) {
    printf("FAIL %s/%s %s: %s\n0 passed, 1 failed\n", ARCH, sample_mode, what, why);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PLATFORM.so EMBEDDING.so\n", argv[0]);
        return 2;
    }
    /* The platform's hooks must be global so that they resolve the
     * embedding's undefined wasmtime_* symbols. */
    if (!dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL)) {
        return setup_failed("load", dlerror());
    }
    void *embedding = dlopen(argv[2], RTLD_NOW);
    if (!embedding) {
        return setup_failed("load", dlerror());
    }
    const EmbApi *(*getter)(void) = (const EmbApi *(*)(void))dlsym(embedding, "embedding_api");
    if (!getter) {
        return setup_failed("load", "the embedding does not export embedding_api");
    }
    const EmbApi *api = getter();
    if (!api || api->abi_version != EMB_ABI_VERSION) {
        return setup_failed("abi", "the embedding speaks another ABI version");
    }
    if (api->mode != table_mode()) {
        return setup_failed("abi", "the embedding was built for another mode than the table");
    }
    api->set_panic_hook(on_panic);
    EmbEngine *engine = NULL;
    EmbError *error = api->engine_new(&engine);
    if (error) {
        printf("FAIL %s/%s engine: %.*s\n0 passed, 1 failed\n", ARCH, sample_mode,
               (int)error->message_len, (const char *)error->message);
        return 1;
    }
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < sample_count; i++) {
        struct failure failure = {0};
        if (run_sample(api, engine, &samples[i], &failure)) {
            printf("PASS %s/%s %s\n", ARCH, sample_mode, samples[i].name);
            passed++;
        } else {
            print_failure(samples[i].name, &failure);
            api->error_free(failure.error);
            failed++;
        }
        fflush(stdout);
    }
    api->engine_free(engine);
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed == 0 && passed == sample_count ? 0 : 1;
}

/* The case runner of cases.h. Output is compared as it arrives, not kept,
 * so a case costs no more memory than its program. */
#include "wasi/cases.h"

#include "board.h"
#include "os/console_redirect.h"
#include "print.h"
#include "wasi/bundle.h"

/* wasmtime::Trap::OutOfFuel as EmbError::trap_code carries it (its place
 * in Wasmtime 48.0.8's Trap enum). */
#define TRAP_OUT_OF_FUEL 11

struct stream_check {
    const struct bundle_stream *want;
    uint64_t written;
    bool differs;
};

struct capture {
    const struct bundle_program *program;
    size_t stdin_at;
    struct stream_check out, err;
};

static int32_t capture_write(void *env, uint32_t stream, const uint8_t *buf, uintptr_t len) {
    struct capture *c = env;
    struct stream_check *s = stream == 1 ? &c->out : &c->err;
    bool prefix = s->want->check == CHECK_PREFIX;
    if ((s->want->check == CHECK_EXACT || prefix) && !s->differs) {
        for (uintptr_t i = 0; i < len; i++) {
            uint64_t at = s->written + i;
            if (prefix && at >= s->want->len) {
                break;
            }
            if (at >= s->want->len || s->want->bytes[at] != buf[i]) {
                s->differs = true;
                break;
            }
        }
    }
    s->written += len;
    return 0;
}

static intptr_t capture_read(void *env, uint8_t *buf, uintptr_t len) {
    struct capture *c = env;
    size_t left = c->program->stdin_len - c->stdin_at;
    size_t n = len < left ? len : left;
    for (size_t i = 0; i < n; i++) {
        buf[i] = c->program->stdin_bytes[c->stdin_at + i];
    }
    c->stdin_at += n;
    return (intptr_t)n;
}

/* Why the stream is wrong, or NULL. */
static const char *stream_problem(const struct stream_check *s, const char *which_differs,
                                  const char *which_count) {
    switch (s->want->check) {
    case CHECK_EXACT:
        return s->differs || s->written != s->want->len ? which_differs : NULL;
    case CHECK_BYTE_COUNT:
        return s->written != s->want->count ? which_count : NULL;
    case CHECK_PREFIX:
        return s->differs || s->written < s->want->len ? which_differs : NULL;
    default:
        return NULL;
    }
}

static void print_line(const char *verdict, const char *mode, const EmbStr *name) {
    print(verdict);
    print(" ");
    print(board_name);
    print("/");
    print(mode);
    print(" ");
    print_bytes(name->ptr, name->len);
}

/* Runs one case; prints its verdict line. */
static bool run_case(const EmbApi *api, const EmbEngine *engine, const char *mode,
                     const struct bundle_program *p) {
    struct capture c = {.program = p, .out = {.want = &p->out}, .err = {.want = &p->err}};
    const struct console_redirect to = {capture_write, capture_read, &c};
    EmbModule *module = NULL;
    EmbProgram *program = NULL;
    EmbProgramState state = EMB_PROGRAM_STATE_READY;
    int32_t code = -1;
    const char *why = NULL;
    EmbError *error = api->module_load(engine, p->artifact, p->artifact_len, &module);
    if (error) {
        why = "the precompiled program does not load";
    } else {
        EmbWasiConfig config = {p->args, p->nargs, p->env, p->nenv, p->preopens,
                                p->npreopens, p->files, p->nfiles, p->fuel, 0};
        error = api->wasi->module_program_new(engine, module, &config, &program);
        if (error) {
            why = "the program cannot start";
        }
    }
    if (!why) {
        console_redirect(&to);
        error = api->wasi->run(&program, 1);
        console_redirect(NULL);
        if (error) {
            why = "run failed";
        } else {
            error = api->wasi->program_status(program, &state, &code);
        }
    }
    if (!why) {
        bool trap = error && error->kind == EMB_ERROR_KIND_TRAP;
        bool fuel = trap && error->trap_code == TRAP_OUT_OF_FUEL;
        if (p->outcome == OUTCOME_EXIT && state != EMB_PROGRAM_STATE_EXITED) {
            why = "expected an exit, got a failure";
        } else if (p->outcome == OUTCOME_EXIT && code != p->exit_code) {
            why = "wrong exit code";
        } else if (p->outcome == OUTCOME_TRAP && (state != EMB_PROGRAM_STATE_FAILED || !trap || fuel)) {
            why = "expected a trap of its own";
        } else if (p->outcome == OUTCOME_FUEL && (state != EMB_PROGRAM_STATE_FAILED || !fuel)) {
            why = "expected to run out of fuel";
        } else {
            why = stream_problem(&c.out, "stdout differs from the expected file",
                                 "stdout has the wrong number of bytes");
            if (!why) {
                why = stream_problem(&c.err, "stderr differs from the expected file",
                                     "stderr has the wrong number of bytes");
            }
        }
    }
    print_line(why ? "FAIL" : "PASS", mode, &p->name);
    if (why) {
        print(": ");
        print(why);
        print(" (exit ");
        print_u64((uint64_t)(uint32_t)code);
        print(", stdout ");
        print_u64(c.out.written);
        print(" bytes, stderr ");
        print_u64(c.err.written);
        print(" bytes)");
        if (error) {
            print(": ");
            print_bytes(error->message, error->message_len);
        }
    }
    print("\n");
    api->error_free(error);
    api->wasi->program_free(program);
    api->module_free(module);
    return !why;
}

static struct bundle_program program;

void wasi_cases_run(const EmbApi *api, const EmbEngine *engine, const char *mode, size_t *passed,
                    size_t *failed, size_t *expected) {
    struct bundle_reader reader;
    bool damaged = false;
    *expected = 0;
    if (!bundle_open(&reader, wasi_bundle, (size_t)(wasi_bundle_end - wasi_bundle))) {
        damaged = true;
    }
    while (!damaged && bundle_next(&reader, &program, &damaged)) {
        ++*expected;
        if (program.expect && run_case(api, engine, mode, &program)) {
            ++*passed;
        } else {
            if (!program.expect) {
                print_line("FAIL", mode, &program.name);
                print(": the bundle has no expectations for it\n");
            }
            ++*failed;
        }
    }
    if (damaged) {
        print("FAIL ");
        print(board_name);
        print("/");
        print(mode);
        print(" the case bundle is damaged\n");
        ++*failed;
    }
}

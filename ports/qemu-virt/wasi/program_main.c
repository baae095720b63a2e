/* The kernel of `build.sh --program`: runs the one preview 1 program of
 * the bundle with the UART as its console, prints the tree of its
 * preopened directories after it for build.sh's --write-back, and exits
 * with the program's status (power_exit), as `host run` does: its exit
 * code; 134 for a trap (128 + SIGABRT, as `wasmtime run`); 1 when it
 * could not start. The kernel's own messages start with "qemu-virt:" and
 * go to the console after the program's output; stdout and stderr share
 * the one UART. */
#include "board.h"
#include "embedding.h"
#include "os/os_board.h"
#include "embedding-os.h"
#include "print.h"
#include "wasi/bundle.h"
#include "wasi/tree_dump.h"
#ifdef PORT_VM
#include "vm/mmu.h"
#endif

#define EXIT_TRAP 134

static void on_panic(const uint8_t *message, uintptr_t len) {
    print("\nqemu-virt: PANIC in the embedding: ");
    print_bytes(message, len);
    print("\n");
    power_exit(1);
}

static _Noreturn void fail(const char *what, EmbError *error) {
    print("\nqemu-virt: ");
    print(what);
    if (error) {
        print(": ");
        print_bytes(error->message, error->message_len);
    }
    print("\n");
    power_exit(1);
}

static struct bundle_program program;

/* build.sh sends a pad byte and STX (0x02) before the program's standard
 * input: riscv64 loses the first byte the UART receives (README, "OS
 * services"), aarch64 does not, so everything up to the first STX is
 * dropped and the input then starts at the same byte on both. */
#define INPUT_START 0x02

static void skip_to_input(void) {
    int c;
    do {
        while ((c = console_getc()) < 0) {
            embedding_os_sleep_until(embedding_os_monotonic_now() + 1000000); /* 1 ms */
        }
    } while (c != INPUT_START);
}

_Noreturn void kernel_main(void) {
    /* Where console_filter.py starts passing the console on: everything
     * before it is the firmware's. */
    print("@@qemu-virt-program\n");
    const EmbApi *api = embedding_api();
    if (api->abi_version != EMB_ABI_VERSION || !api->wasi) {
        fail("the embedding is not the ABI this kernel was built for, or has no WASI", NULL);
    }
#ifdef PORT_VM
    if (!mmu_init()) {
        fail("paging could not be set up", NULL);
    }
#endif
    api->set_panic_hook(on_panic);
    struct bundle_reader reader;
    bool damaged;
    if (!bundle_open(&reader, wasi_bundle, (size_t)(wasi_bundle_end - wasi_bundle)) ||
        !bundle_next(&reader, &program, &damaged)) {
        fail("the program bundle is damaged", NULL);
    }
    EmbEngine *engine = NULL;
    EmbError *error = api->engine_new(&engine);
    if (error) {
        fail("no engine", error);
    }
    EmbModule *module = NULL;
    error = api->module_load(engine, program.artifact, program.artifact_len, &module);
    if (error) {
        fail("the precompiled program does not load", error);
    }
    EmbWasiConfig config = {
        .args = program.args,
        .nargs = program.nargs,
        .env = program.env,
        .nenv = program.nenv,
        .preopens = program.preopens,
        .npreopens = program.npreopens,
        .files = program.files,
        .nfiles = program.nfiles,
        .fuel = program.fuel,
    };
    EmbProgram *prog = NULL;
    error = api->wasi->module_program_new(engine, module, &config, &prog);
    if (error) {
        fail("the program cannot start", error);
    }
    skip_to_input();
    error = api->wasi->run(&prog, 1);
    if (error) {
        fail("run", error);
    }
    EmbProgramState state;
    int32_t code = 1;
    error = api->wasi->program_status(prog, &state, &code);
    if (program.npreopens > 0) {
        tree_dump(api, prog, &program);
    }
    if (state != EMB_PROGRAM_STATE_EXITED) {
        bool trap = error && error->kind == EMB_ERROR_KIND_TRAP;
        print("\nqemu-virt: the program ");
        print(trap ? "trapped" : "failed");
        if (error) {
            print(": ");
            print_bytes(error->message, error->message_len);
        }
        print("\n");
        power_exit(trap ? EXIT_TRAP : 1);
    }
    power_exit((uint32_t)code & 0xff);
}

/*
 * The embedding served over a pipe: a small Linux program, built with a
 * cross C compiler for aarch64 or riscv64 and run under qemu-user, that
 * loads one embedding the way the x86_64 host does and executes what the
 * host asks of it on stdin, answering on stdout. The x86_64 host keeps
 * everything else (parsing the spec testsuite, precompiling for this arch,
 * judging results), so the target runs only loading and execution: this
 * is `host conformance --arch A` (host/src/conformance/remote.rs).
 *
 *   serve PLATFORM.so EMBEDDING.so
 *
 * The protocol: both ends are 64-bit little-endian, so integers go as
 * their bytes and values as raw EmbVal structs (the host checks the
 * struct's size in the greeting). Requests start with one byte:
 *
 *   'L' u64 len, bytes              load an artifact   -> u32 module
 *   'I' u32 module, u64 fuel        instantiate        -> u32 instance
 *   'R' u32 instance, str name      register instance  -> nothing
 *   'C' u32 instance, u64 fuel, str name, u32 n, n x EmbVal, u32 cap
 *                                   call               -> u32 n, n x EmbVal
 *   'G' u32 instance, str name      read a global      -> EmbVal
 *
 * where str is u32 len, bytes. Each answer starts with a status byte: 0 and
 * the result, or 1, u32 error kind, u8 trap code, str message. The greeting
 * is "EMBSERVE", u32 sizeof(EmbVal) and u32 the embedding's mode (EmbMode).
 * End of input ends the program.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedding.h"

static const EmbApi *api;

static void on_panic(const uint8_t *message, uintptr_t len) {
    fprintf(stderr, "embedding panicked: %.*s\n", (int)len, (const char *)message);
    /* The host's exit code for a panicking embedding (EXIT_EMBEDDING_PANICKED). */
    exit(70);
}

static void read_exact(void *buf, size_t len) {
    if (len && fread(buf, 1, len, stdin) != len) {
        if (feof(stdin)) {
            exit(0);
        }
        perror("serve: reading a request");
        exit(2);
    }
}

static void write_bytes(const void *buf, size_t len) {
    if (len && fwrite(buf, 1, len, stdout) != len) {
        perror("serve: writing an answer");
        exit(2);
    }
}

static uint32_t read_u32(void) {
    uint32_t v;
    read_exact(&v, sizeof v);
    return v;
}

static uint64_t read_u64(void) {
    uint64_t v;
    read_exact(&v, sizeof v);
    return v;
}

/* A length-prefixed byte string, on the heap; the caller frees it. */
static uint8_t *read_str(uint32_t *len) {
    *len = read_u32();
    uint8_t *bytes = malloc(*len ? *len : 1);
    if (!bytes) {
        fputs("serve: out of memory\n", stderr);
        exit(2);
    }
    read_exact(bytes, *len);
    return bytes;
}

static void write_u32(uint32_t v) { write_bytes(&v, sizeof v); }

/* Answers `error` if there is one; true if there was. */
static int answer_error(EmbError *error) {
    if (!error) {
        uint8_t ok = 0;
        write_bytes(&ok, 1);
        return 0;
    }
    uint8_t failed = 1;
    uint32_t kind = (uint32_t)error->kind;
    uint8_t trap = error->trap_code;
    write_bytes(&failed, 1);
    write_u32(kind);
    write_bytes(&trap, 1);
    write_u32((uint32_t)error->message_len);
    write_bytes(error->message, error->message_len);
    api->error_free(error);
    return 1;
}

static EmbModule **modules;
static size_t nmodules, modules_cap;

static void load(const EmbEngine *engine) {
    uint64_t len = read_u64();
    uint8_t *artifact = malloc(len ? len : 1);
    if (!artifact) {
        fputs("serve: out of memory\n", stderr);
        exit(2);
    }
    read_exact(artifact, len);
    EmbModule *module = NULL;
    EmbError *error = api->module_load(engine, artifact, len, &module);
    free(artifact);
    if (!error && nmodules == modules_cap) {
        modules_cap = modules_cap ? 2 * modules_cap : 64;
        modules = realloc(modules, modules_cap * sizeof *modules);
        if (!modules) {
            fputs("serve: out of memory\n", stderr);
            exit(2);
        }
    }
    if (!answer_error(error)) {
        modules[nmodules] = module;
        write_u32((uint32_t)nmodules++);
    }
}

static void instantiate(EmbStore *store) {
    uint32_t module = read_u32();
    uint64_t fuel = read_u64();
    if (module >= nmodules) {
        fprintf(stderr, "serve: no module %u\n", module);
        exit(2);
    }
    uint32_t index = 0;
    EmbError *error = api->store_set_fuel(store, fuel);
    if (!error) {
        error = api->instantiate(store, modules[module], &index);
    }
    if (!answer_error(error)) {
        write_u32(index);
    }
}

static void register_instance(EmbStore *store) {
    uint32_t instance = read_u32(), len;
    uint8_t *name = read_str(&len);
    answer_error(api->register_instance(store, instance, name, len));
    free(name);
}

static void call(EmbStore *store) {
    uint32_t instance = read_u32(), len;
    uint64_t fuel = read_u64();
    uint8_t *name = read_str(&len);
    uint32_t nargs = read_u32();
    EmbVal *args = calloc(nargs ? nargs : 1, sizeof *args);
    read_exact(args, nargs * sizeof *args);
    uint32_t cap = read_u32();
    EmbVal *results = calloc(cap ? cap : 1, sizeof *results);
    if (!args || !results) {
        fputs("serve: out of memory\n", stderr);
        exit(2);
    }
    uintptr_t nresults = 0;
    EmbError *error = api->store_set_fuel(store, fuel);
    if (!error) {
        error = api->call(store, instance, name, len, args, nargs, results, cap, &nresults);
    }
    if (!answer_error(error)) {
        write_u32((uint32_t)nresults);
        write_bytes(results, nresults * sizeof *results);
    }
    free(name);
    free(args);
    free(results);
}

static void global_get(EmbStore *store) {
    uint32_t instance = read_u32(), len;
    uint8_t *name = read_str(&len);
    EmbVal value;
    if (!answer_error(api->global_get(store, instance, name, len, &value))) {
        write_bytes(&value, sizeof value);
    }
    free(name);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PLATFORM.so EMBEDDING.so\n", argv[0]);
        return 2;
    }
    if (!dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL)) {
        fprintf(stderr, "serve: %s\n", dlerror());
        return 2;
    }
    void *embedding = dlopen(argv[2], RTLD_NOW);
    const EmbApi *(*getter)(void) =
        embedding ? (const EmbApi *(*)(void))dlsym(embedding, "embedding_api") : NULL;
    if (!getter) {
        fprintf(stderr, "serve: %s\n", dlerror());
        return 2;
    }
    api = getter();
    if (!api || api->abi_version != EMB_ABI_VERSION) {
        fprintf(stderr, "serve: %s speaks another ABI version\n", argv[2]);
        return 2;
    }
    api->set_panic_hook(on_panic);
    EmbEngine *engine = NULL;
    EmbStore *store = NULL;
    EmbError *error = api->engine_new(&engine);
    if (!error) {
        error = api->store_new(engine, &store);
    }
    if (error) {
        fprintf(stderr, "serve: %.*s\n", (int)error->message_len, (const char *)error->message);
        return 2;
    }
    write_bytes("EMBSERVE", 8);
    write_u32((uint32_t)sizeof(EmbVal));
    write_u32((uint32_t)api->mode);
    fflush(stdout);
    for (;;) {
        uint8_t op;
        read_exact(&op, 1);
        switch (op) {
        case 'L':
            load(engine);
            break;
        case 'I':
            instantiate(store);
            break;
        case 'R':
            register_instance(store);
            break;
        case 'C':
            call(store);
            break;
        case 'G':
            global_get(store);
            break;
        default:
            fprintf(stderr, "serve: unknown request %u\n", op);
            return 2;
        }
        fflush(stdout);
    }
}

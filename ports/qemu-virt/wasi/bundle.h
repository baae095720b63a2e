/* The programs packed into an image by wasi/bundle.py (build.sh
 * --program): one binary blob linked in with `.incbin` (wasi/bundle_data.S),
 * read here in place. The layout, all integers little-endian:
 *
 *   "WASIBNDL", u32 version (1), u32 program count, then per program:
 *   str name; blob artifact; u32 n + n str args (argv[0] first);
 *   u32 n + n str env ("NAME=VALUE"); u32 n + n str preopens (guest paths);
 *   u32 n + n files (u32 preopen, str path, u32 kind, blob data);
 *   blob stdin; u64 fuel; u32 expect (0: none, 1: what follows)
 *
 * and with expect 1, what the case runner (wasi/cases.c) compares:
 *   u32 outcome (enum bundle_outcome); i32 exit code;
 *   u32 stdout check (enum bundle_check), blob stdout, u64 stdout bytes;
 *   u32 stderr check, blob stderr, u64 stderr bytes
 *
 * where str is u32 length + bytes, and blob is u32 length, padding to a
 * 16-byte boundary of the bundle (which is 16-aligned), then the bytes;
 * every field starts on a 4-byte boundary. */
#ifndef WASI_BUNDLE_H
#define WASI_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "embedding.h"

/* Most entries of any one list the kernel accepts (bundle.py checks too). */
#define BUNDLE_MAX_LIST 256

enum bundle_outcome { OUTCOME_EXIT, OUTCOME_TRAP, OUTCOME_FUEL };
/* CHECK_PREFIX: the stream starts with the bytes, as the WASI testsuite's
 * `read` operations check (what follows is not checked). */
enum bundle_check { CHECK_NONE, CHECK_EXACT, CHECK_BYTE_COUNT, CHECK_PREFIX };

struct bundle_stream {
    uint32_t check;
    const uint8_t *bytes;
    size_t len;
    uint64_t count;
};

struct bundle_program {
    EmbStr name;
    const uint8_t *artifact;
    size_t artifact_len;
    EmbStr args[BUNDLE_MAX_LIST], env[BUNDLE_MAX_LIST], preopens[BUNDLE_MAX_LIST];
    EmbFileEntry files[BUNDLE_MAX_LIST];
    size_t nargs, nenv, npreopens, nfiles;
    const uint8_t *stdin_bytes;
    size_t stdin_len;
    uint64_t fuel;
    bool expect;
    uint32_t outcome;
    int32_t exit_code;
    struct bundle_stream out, err;
};

struct bundle_reader {
    const uint8_t *base, *at, *end;
    uint32_t remaining;
};

/* Checks the header; false if the bundle is damaged. */
bool bundle_open(struct bundle_reader *r, const uint8_t *bytes, size_t len);

/* Reads the next program into `p`; false at the end or on damage (then
 * `*damaged` is set). */
bool bundle_next(struct bundle_reader *r, struct bundle_program *p, bool *damaged);

/* The bundle linked into the image (wasi/bundle_data.S). */
extern const uint8_t wasi_bundle[], wasi_bundle_end[];

#endif

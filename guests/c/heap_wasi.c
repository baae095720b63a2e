/* Large heaps before and between WASI calls: each step grows linear memory
 * with malloc or realloc, then makes a WASI call (clock, write, file I/O,
 * random) and checks that every block still holds what was written to it.
 * argv[1] is a writable directory for the file step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Fills n words from seed; check() recomputes them. */
static void fill(unsigned *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = seed;
    }
}

static const char *check(const unsigned *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        if (p[i] != seed)
            return "CORRUPT";
    }
    return "intact";
}

static void *must(void *p, const char *what) {
    if (!p) {
        perror(what);
        exit(1);
    }
    return p;
}

#define MIB_WORDS ((size_t)1 << 18) /* words in 1 MiB */

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: heap_wasi DIR\n");
        return 2;
    }
    unsigned *a = must(malloc(MIB_WORDS * 4), "malloc 1 MiB");
    fill(a, MIB_WORDS, 1);
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("clock_gettime");
        return 1;
    }
    printf("1 MiB, then clock_gettime: %s\n", check(a, MIB_WORDS, 1));
    fflush(stdout);

    unsigned *b = must(malloc(40 * MIB_WORDS * 4), "malloc 40 MiB");
    fill(b, 40 * MIB_WORDS, 2);
    printf("40 MiB, then write: %s %s\n", check(a, MIB_WORDS, 1), check(b, 40 * MIB_WORDS, 2));
    fflush(stdout);

    char path[256];
    snprintf(path, sizeof path, "%s/heap.bin", argv[1]);
    FILE *f = must(fopen(path, "wb"), "fopen for writing");
    size_t wrote = fwrite(b, 4, MIB_WORDS, f);
    if (fclose(f) != 0 || wrote != MIB_WORDS) {
        perror("writing heap.bin");
        return 1;
    }
    unsigned *c = must(malloc(4 * MIB_WORDS * 4), "malloc 4 MiB");
    f = must(fopen(path, "rb"), "fopen for reading");
    size_t got = fread(c, 4, MIB_WORDS, f);
    fclose(f);
    printf("4 MiB, then a 1 MiB file written and read back: %s, %zu words, %s %s\n",
           memcmp(b, c, MIB_WORDS * 4) == 0 ? "same" : "DIFFERENT", got,
           check(a, MIB_WORDS, 1), check(b, 40 * MIB_WORDS, 2));
    fflush(stdout);

    unsigned char r[64];
    if (getentropy(r, sizeof r) != 0) {
        perror("getentropy");
        return 1;
    }
    printf("then getentropy: %s %s\n", check(a, MIB_WORDS, 1), check(b, 40 * MIB_WORDS, 2));
    fflush(stdout);

    /* realloc doubling from 64 KiB to 32 MiB, a write after each step. */
    unsigned *g = NULL;
    for (size_t words = 1 << 14; words <= 32 * MIB_WORDS; words *= 2) {
        g = must(realloc(g, words * 4), "realloc");
        fill(g, words, (unsigned)words);
        printf("realloc to %zu KiB, then write: %s\n", words / 256, check(g, words, (unsigned)words));
        fflush(stdout);
    }
    printf("at the end: %s %s\n", check(a, MIB_WORDS, 1), check(b, 40 * MIB_WORDS, 2));
    free(g);
    free(c);
    free(b);
    free(a);
    return 0;
}

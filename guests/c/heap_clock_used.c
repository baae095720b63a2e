/* Issue 19's program with its heap read back after the clock call. Debian's
 * clang at -O2 deletes heap_clock.c's malloc and loop, whose stores nothing
 * reads, so that program never grows memory; the sum printed here keeps
 * them. From N of about 31,500 the block reaches the page the preview 1
 * adapter keeps its state in (docs/wasi.md, "The adapter and large heaps"). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 0, s = 12345;
    unsigned *v = malloc(n * sizeof *v + 4);
    if (!v) {
        perror("malloc");
        return 1;
    }
    for (unsigned i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        v[i] = s >> 7;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += v[i];
    printf("ok n=%u %d sum=%u\n", n, ts.tv_sec >= 0, sum);
    free(v);
    return 0;
}

/* Issue 19's program: a heap of N words (argv[1]) filled before the first
 * clock_gettime. From N of about 50,000 the malloc grows linear memory
 * before the preview 1 adapter's first call (docs/wasi.md, "The adapter
 * and large heaps"). */
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
    printf("ok n=%u %d\n", n, ts.tv_sec >= 0);
    return 0;
}

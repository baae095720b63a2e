/* Prints argc and every argument, then the environment sorted, then one
 * lookup by name: the C twin of the Rust args and env guests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    printf("argc: %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]: %s\n", i, argv[i]);

    size_t n = 0;
    while (environ[n])
        n++;
    char **sorted = malloc((n + 1) * sizeof *sorted);
    memcpy(sorted, environ, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp);
    printf("env count: %zu\n", n);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", sorted[i]);
    free(sorted);

    const char *g = getenv("GUEST_GREETING");
    printf("GUEST_GREETING lookup: %s\n", g ? g : "(unset)");
    return 0;
}

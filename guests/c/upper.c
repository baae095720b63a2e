/* Copies stdin to stdout upper-casing ASCII letters; counts on stderr. */
#include <stdio.h>

int main(void) {
    unsigned long bytes = 0, lines = 0;
    int c;
    while ((c = getchar()) != EOF) {
        bytes++;
        if (c == '\n')
            lines++;
        if (c >= 'a' && c <= 'z')
            c -= 'a' - 'A';
        putchar(c);
    }
    if (ferror(stdin) || fflush(stdout) != 0)
        return 1;
    fprintf(stderr, "upper: %lu bytes, %lu lines\n", bytes, lines);
    return 0;
}

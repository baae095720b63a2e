/* Writes to stdout and stderr, through stdio and through write(2). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    printf("stdout line 1\n");
    fflush(stdout);
    fprintf(stderr, "stderr line 1\n");
    const char *raw = "stdout line 2 via write(1)\n";
    write(STDOUT_FILENO, raw, strlen(raw));
    const char *rawerr = "stderr line 2 via write(2)\n";
    write(STDERR_FILENO, rawerr, strlen(rawerr));
    /* Left in stdio's buffer: exit must flush it. */
    printf("stdout line 3\n");
    return 0;
}

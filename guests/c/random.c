/* Draws bytes with getentropy and prints only comparable facts. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *yes(int b) { return b ? "yes" : "no"; }

int main(void) {
    unsigned char a[32], b[32];
    if (getentropy(a, sizeof a) != 0 || getentropy(b, sizeof b) != 0) {
        perror("getentropy");
        return 1;
    }
    int not_all_equal = 0;
    for (size_t i = 1; i < sizeof a; i++)
        not_all_equal |= a[i] != a[0];
    printf("random: %zu bytes, not all equal: %s, two draws differ: %s\n",
           sizeof a, yes(not_all_equal), yes(memcmp(a, b, sizeof a) != 0));
    return 0;
}

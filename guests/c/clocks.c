/* Checks CLOCK_MONOTONIC and CLOCK_REALTIME, printing only comparable facts. */
#include <stdio.h>
#include <time.h>

static const char *yes(int b) { return b ? "yes" : "no"; }

static long long ns(clockid_t id) {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return -1;
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
    long long t0 = ns(CLOCK_MONOTONIC);
    struct timespec d = {0, 50 * 1000000L};
    nanosleep(&d, NULL);
    long long t1 = ns(CLOCK_MONOTONIC);
    printf("monotonic: readable: %s\n", yes(t0 >= 0 && t1 >= 0));
    printf("monotonic: advanced >= 50ms: %s\n", yes(t1 - t0 >= 50000000LL));
    printf("monotonic: advanced < 10s: %s\n", yes(t1 - t0 < 10000000000LL));

    struct timespec res;
    printf("monotonic: resolution > 0: %s\n",
           yes(clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0)));

    long long wall = ns(CLOCK_REALTIME) / 1000000000LL;
    printf("wall: after 2020: %s\n", yes(wall >= 1577836800LL));
    printf("wall: before 2100: %s\n", yes(wall < 4102444800LL));
    time_t t = time(NULL);
    printf("wall: time() agrees: %s\n", yes(t - wall >= 0 && t - wall < 5));
    return 0;
}

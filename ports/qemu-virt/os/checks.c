/* The OS services' contracts (platform/embedding-os.h), checked in the
 * kernel: `host platform-check` cannot run on bare metal. Each check
 * prints one line in the samples' format, so build.sh counts them like
 * samples:
 *
 *   PASS riscv64-virt/minimal os-sleep
 *   FAIL aarch64-virt/vm os-random: two 32-byte requests returned the same bytes
 *
 * The margins are generous where QEMU's timing follows the host's load
 * (TCG runs the guest's counter at the host's real time). */
#include <stdbool.h>

#include "board.h"
#include "embedding-os.h"
#include "os/checks.h"
#include "os/os_board.h"
#include "os/sleep_stats.h"
#include "print.h"
#include "sample_table.h"

/* 2024-01-01T00:00:00Z: no RTC of a machine built since reads earlier. */
#define EPOCH_2024 1704067200ull
/* The host's date when this kernel was compiled (build.sh). */
#ifndef PORT_BUILD_EPOCH
#error "PORT_BUILD_EPOCH: build.sh passes the host's date (date +%s)"
#endif
/* QEMU's RTC starts at the host's time, so at boot it reads the build's
 * date plus the time since: build.sh builds all images, then boots them.
 * Up to an hour later passes; a wall clock that is off by more (the
 * epoch, time since boot, another time zone's hours) does not. */
#define WALL_AFTER_BUILD_MAX (60 * 60)
#define WALL_BEFORE_BUILD_MAX (5 * 60) /* the host's clock may be stepped */

#define MS 1000000ull
#define SLEEP_NS (20 * MS)
/* QEMU's timer wakes the guest within a millisecond when the host is idle,
 * tens of milliseconds late on a loaded host; a sleep of ten times too long
 * or to a whole second fails. */
#define SLEEP_LATE_MAX (150 * MS)
/* A sleep that halts wakes once, or a few times for other interrupts; one
 * that spins (an interrupt always pending) runs `wfi` thousands of times. */
#define SLEEP_WAKEUPS_MAX 50

static const char *why;
static char why_buf[160];
static size_t why_len;

/* Builds the failure message in why_buf, a piece at a time. */
static void why_text(const char *s) {
    while (*s && why_len + 1 < sizeof why_buf) {
        why_buf[why_len++] = *s++;
    }
    why_buf[why_len] = 0;
    why = why_buf;
}

static void why_u64(uint64_t n) {
    char digits[21];
    int i = 20;
    digits[i] = 0;
    do {
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    why_text(digits + i);
}

static bool fail(const char *text) {
    why_len = 0;
    why_text(text);
    return false;
}

static bool check_monotonic(void) {
    uint64_t last = embedding_os_monotonic_now();
    /* 10,000 reads: a single counter for the machine either goes back
     * early (a torn or wrapping read) or not at all; more reads only slow
     * the boot (each aarch64 read is `isb; mrs`, about 1 us under TCG). */
    for (uint32_t i = 1; i < 10000; i++) {
        uint64_t t = embedding_os_monotonic_now();
        if (t < last) {
            fail("read ");
            why_u64(i);
            why_text(" went back by ");
            why_u64(last - t);
            why_text(" ns");
            return false;
        }
        last = t;
    }
    return true;
}

static bool check_resolution(void) {
    uint64_t res = embedding_os_monotonic_resolution();
    if (res == 0 || res > 1000000000) {
        fail("resolution ");
        why_u64(res);
        why_text(" ns: must be above 0 and at most 1 s");
        return false;
    }
    return true;
}

static bool check_wall(void) {
    uint64_t s = 0;
    uint32_t ns = 0;
    if (embedding_os_wall_now(&s, &ns) != 0) {
        return fail("returned -1: no RTC found");
    }
    if (ns >= 1000000000u) {
        fail("nanoseconds ");
        why_u64(ns);
        why_text(" not below 10^9");
        return false;
    }
    if (s < EPOCH_2024 || s + WALL_BEFORE_BUILD_MAX < PORT_BUILD_EPOCH ||
        s > PORT_BUILD_EPOCH + WALL_AFTER_BUILD_MAX) {
        fail("reads ");
        why_u64(s);
        why_text(" s since 1970; built at ");
        why_u64(PORT_BUILD_EPOCH);
        return false;
    }
    return true;
}

static bool same(const uint8_t *a, const uint8_t *b, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

static bool check_random(void) {
    uint8_t a[32] = {0}, b[32] = {0}, canary[4] = {0xa5, 0xa5, 0xa5, 0xa5};
    if (embedding_os_random(a, sizeof a) != 0 || embedding_os_random(b, sizeof b) != 0) {
        return fail("returned -1: no entropy source found");
    }
    bool constant = true;
    for (size_t i = 1; i < sizeof a; i++) {
        constant &= a[i] == a[0];
    }
    if (constant) {
        return fail("32 bytes all alike");
    }
    if (same(a, b, sizeof a)) {
        return fail("two 32-byte requests returned the same bytes");
    }
    if (embedding_os_random(canary, 0) != 0 || canary[0] != 0xa5) {
        return fail("a zero-length request failed or wrote");
    }
    return true;
}

/* Other streams are refused; the verdict line itself goes out through
 * stream 1 (os_checks_run), so a console that drops it fails the boot. */
static bool check_console_streams(void) {
    static const uint32_t others[] = {0, 3, 4, 0x80000001u, 0xffffffffu};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        if (embedding_os_console_write(others[i], (const uint8_t *)"stray\n", 6) != -1) {
            fail("stream ");
            why_u64(others[i]);
            why_text(" was accepted: only 1 and 2 are streams");
            return false;
        }
    }
    return true;
}

/* build.sh types "\nping\n" on the serial line (QEMU's standard input),
 * and the first line that is not empty must read "ping". The empty line
 * first is for riscv64, where the first received byte never reaches the
 * kernel (the firmware's UART setup, presumably). Each wait is bounded (5 s),
 * so a boot without input fails here instead of hanging in console_read. */
static bool check_console_read(void) {
    static const char want[] = "ping";
    char line[16];
    size_t n = 0;
    uint64_t give_up = embedding_os_monotonic_now() + 5000 * MS;
    for (;;) {
        while (!console_rx_ready()) {
            if (embedding_os_monotonic_now() > give_up) {
                return fail("no \"ping\" line within 5 s: boot with it typed on the serial line");
            }
            embedding_os_sleep_until(embedding_os_monotonic_now() + MS);
        }
        uint8_t got[8];
        intptr_t r = embedding_os_console_read(got, sizeof got);
        if (r <= 0 || (size_t)r > sizeof got) {
            fail("console_read returned ");
            why_u64((uint64_t)r);
            why_text(" with input waiting");
            return false;
        }
        for (intptr_t i = 0; i < r; i++) {
            char c = (char)got[i];
            if (c == '\n' || c == '\r') {
                if (n == 0) {
                    continue; /* the empty line before it */
                }
                line[n] = 0;
                if (n != sizeof want - 1 || !same((const uint8_t *)line, (const uint8_t *)want, n)) {
                    fail("read the line \"");
                    why_text(line);
                    why_text("\", not \"ping\"");
                    return false;
                }
                return true;
            }
            if (n + 1 < sizeof line) {
                line[n++] = c;
            }
        }
    }
}

/* What the 20 ms sleep measured, printed after the verdicts. */
static uint64_t sleep_late_ns, sleep_wfi;

static bool check_sleep(void) {
    uint64_t t = embedding_os_monotonic_now();
    uint64_t before = sleep_wakeups();
    embedding_os_sleep_until(t > 1000 * MS ? t - 1000 * MS : 0);
    embedding_os_sleep_until(0);
    if (sleep_wakeups() != before || embedding_os_monotonic_now() - t > 10 * MS) {
        return fail("a deadline in the past did not return at once");
    }
    uint64_t deadline = embedding_os_monotonic_now() + SLEEP_NS;
    embedding_os_sleep_until(deadline);
    uint64_t woke = embedding_os_monotonic_now();
    uint64_t wakeups = sleep_wakeups() - before;
    sleep_late_ns = woke > deadline ? woke - deadline : 0;
    sleep_wfi = wakeups;
    if (woke < deadline) {
        fail("returned ");
        why_u64(deadline - woke);
        why_text(" ns before the deadline");
        return false;
    }
    if (woke - deadline > SLEEP_LATE_MAX) {
        fail("a 20 ms sleep woke ");
        why_u64((woke - deadline) / MS);
        why_text(" ms after its deadline");
        return false;
    }
    if (wakeups == 0 || wakeups > SLEEP_WAKEUPS_MAX) {
        fail("wfi returned ");
        why_u64(wakeups);
        why_text(" times in a 20 ms sleep: it must halt until the timer interrupt");
        return false;
    }
    return true;
}

static const struct {
    const char *name;
    bool (*check)(void);
} checks[] = {
    {"os-monotonic", check_monotonic},
    {"os-resolution", check_resolution},
    {"os-wall", check_wall},
    {"os-random", check_random},
    {"os-console", check_console_streams},
    {"os-console-read", check_console_read},
    {"os-sleep", check_sleep},
};

const size_t os_check_count = sizeof checks / sizeof checks[0];

static void say(const char *s) {
    uint32_t len = 0;
    while (s[len]) {
        len++;
    }
    /* The verdict through the service under test; a failing console
     * loses the line, which build.sh then reports as a missing PASS. */
    embedding_os_console_write(1, (const uint8_t *)s, len);
}

void os_checks_run(size_t *passed, size_t *failed) {
    uint64_t start = embedding_os_monotonic_now();
    for (size_t i = 0; i < os_check_count; i++) {
        why = "";
        bool ok = checks[i].check();
        say(ok ? "PASS " : "FAIL ");
        say(board_name);
        say("/");
        say(sample_mode);
        say(" ");
        say(checks[i].name);
        if (!ok) {
            say(": ");
            say(why);
        }
        say("\n");
        *(ok ? passed : failed) += 1;
    }
    print("os-sleep: a 20 ms sleep woke ");
    print_u64(sleep_late_ns / 1000);
    print(" us after its deadline, ");
    print_u64(sleep_wfi);
    print(" wfi wakeups; the checks took ");
    print_u64((embedding_os_monotonic_now() - start) / MS);
    print(" ms\n");
}

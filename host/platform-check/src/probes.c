/*
 * Fault probes for `host platform-check`, compiled with cc when the check
 * runs and loaded only into probe child processes.
 *
 * Why C: catching a fault means leaving a signal handler with siglongjmp,
 * and that must not skip Rust frames. Every jump here starts and lands in
 * this file, so the Rust side only sees ordinary calls that return a
 * signal number or a PROBE_* outcome.
 *
 * Two kinds of handlers live here:
 *  - the "catcher", a plain sigaction handler that turns a fault into a
 *    return value. Memory probes use it directly; trap probes install it
 *    before wasmtime_init_traps so it becomes the platform's "previous"
 *    handler, the one a declined fault must be forwarded to.
 *  - probe_trap_handler, passed to wasmtime_init_traps in place of
 *    Wasmtime's own handler. It records what the platform reported and then
 *    leaves the way Wasmtime does: a jump that does not restore the signal
 *    mask, so a platform that forgot SA_NODEFER is caught out.
 */

#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Outcomes of probe_trap; mirrored in signals.rs. */
enum {
  PROBE_NO_FAULT = 0,   /* the instruction completed without faulting */
  PROBE_HANDLED = 1,    /* probe_trap_handler was called and resumed */
  PROBE_PREVIOUS = 2,   /* the catcher (the previous handler) ran */
  PROBE_LOOPED = 3,     /* the declined fault came back to the handler */
};

enum { TRAP_LOAD = 0, TRAP_UD2 = 1, TRAP_DIV0 = 2 };

/* What the platform passed to the trap handler, on this thread. */
struct probe_trap_record {
  uint32_t calls;
  uint32_t has_faulting_addr;
  uintptr_t ip;
  uintptr_t fp;
  uintptr_t faulting_addr;
};

/* All per thread: a fault is delivered to the thread that caused it. */
static _Thread_local sigjmp_buf escape;
static _Thread_local volatile int armed;
static _Thread_local volatile int caught_signal;
static _Thread_local volatile uintptr_t caught_addr;
static _Thread_local struct probe_trap_record record;
static _Thread_local volatile int decline;

/* ---- the catcher --------------------------------------------------------- */

static void catch_fault(int signo, siginfo_t *info, void *context) {
  (void)context;
  if (!armed) {
    /* Not a probed instruction: let the fault kill the process, so the
     * parent reports a crash instead of this file hiding it. */
    struct sigaction dfl = {0};
    dfl.sa_handler = SIG_DFL;
    sigaction(signo, &dfl, NULL);
    return;
  }
  armed = 0;
  caught_signal = signo;
  caught_addr = info != NULL ? (uintptr_t)info->si_addr : 0;
  siglongjmp(escape, PROBE_PREVIOUS);
}

static void catch_fault_plain(int signo) { catch_fault(signo, NULL, NULL); }

/* Installs the catcher for the four fault signals, either as an SA_SIGINFO
 * handler or as a plain one (forwarding code must handle both). */
int probe_install_catcher(int siginfo) {
  static const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
  struct sigaction action = {0};
  if (siginfo) {
    action.sa_sigaction = catch_fault;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
  } else {
    action.sa_handler = catch_fault_plain;
    action.sa_flags = SA_NODEFER;
  }
  sigemptyset(&action.sa_mask);
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    if (sigaction(signals[i], &action, NULL) != 0)
      return -1;
  return 0;
}

/* ---- memory probes: 0 if the access completed, else the signal ----------- */

/* The mask is saved (savemask = 1) so a caught fault leaves it as it was. */
int probe_read(const volatile uint8_t *p, uint8_t *value) {
  caught_signal = 0;
  if (sigsetjmp(escape, 1) == 0) {
    armed = 1;
    *value = *p;
    armed = 0;
    return 0;
  }
  return caught_signal;
}

int probe_write(volatile uint8_t *p, uint8_t value) {
  caught_signal = 0;
  if (sigsetjmp(escape, 1) == 0) {
    armed = 1;
    *p = value;
    armed = 0;
    return 0;
  }
  return caught_signal;
}

/* Calls `code` as `int (void)`; *result gets its return value. */
int probe_exec(const void *code, int *result) {
  caught_signal = 0;
  if (sigsetjmp(escape, 1) == 0) {
    armed = 1;
    *result = ((int (*)(void))code)();
    armed = 0;
    return 0;
  }
  return caught_signal;
}

uintptr_t probe_caught_addr(void) { return caught_addr; }

/* ---- faulting instructions with a known ip and frame pointer -------------- */

/*
 * Each routine saves the frame pointer (rbp, x29 or s0), loads the sentinel
 * (second argument) into it, and faults at a global label, so the test
 * knows exactly which ip and fp the platform must report. The frame pointer
 * is never restored by the routine itself after a fault: siglongjmp
 * restores it from the jump buffer.
 *
 * Integer division by zero traps only on x86_64: aarch64's sdiv/udiv and
 * riscv64's div/divu return a defined result instead (Wasmtime checks the
 * divisor in code there), so probe_asm_div0 exists on x86_64 alone and the
 * checker skips its rule elsewhere (signals.rs).
 */
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl probe_asm_load, probe_asm_load_ip\n"
        ".hidden probe_asm_load, probe_asm_load_ip\n"
        "probe_asm_load:\n"
        "  push %rbp\n"
        "  mov %rsi, %rbp\n"
        "probe_asm_load_ip:\n"
        "  movb (%rdi), %al\n"
        "  pop %rbp\n"
        "  ret\n"
        ".globl probe_asm_ud2, probe_asm_ud2_ip\n"
        ".hidden probe_asm_ud2, probe_asm_ud2_ip\n"
        "probe_asm_ud2:\n"
        "  push %rbp\n"
        "  mov %rsi, %rbp\n"
        "probe_asm_ud2_ip:\n"
        "  ud2\n"
        "  pop %rbp\n"
        "  ret\n"
        ".globl probe_asm_div0, probe_asm_div0_ip\n"
        ".hidden probe_asm_div0, probe_asm_div0_ip\n"
        "probe_asm_div0:\n"
        "  push %rbp\n"
        "  mov %rsi, %rbp\n"
        "  xor %edx, %edx\n"
        "  mov $1, %eax\n"
        "  xor %ecx, %ecx\n"
        "probe_asm_div0_ip:\n"
        "  div %ecx\n"
        "  pop %rbp\n"
        "  ret\n");
#define HAS_DIV0_TRAP 1
#elif defined(__aarch64__)
/* x29 is the frame pointer; udf #0 is the permanently undefined
 * instruction (SIGILL). */
__asm__(".text\n"
        ".globl probe_asm_load, probe_asm_load_ip\n"
        ".hidden probe_asm_load, probe_asm_load_ip\n"
        "probe_asm_load:\n"
        "  stp x29, x30, [sp, #-16]!\n"
        "  mov x29, x1\n"
        "probe_asm_load_ip:\n"
        "  ldrb w0, [x0]\n"
        "  ldp x29, x30, [sp], #16\n"
        "  ret\n"
        ".globl probe_asm_ud2, probe_asm_ud2_ip\n"
        ".hidden probe_asm_ud2, probe_asm_ud2_ip\n"
        "probe_asm_ud2:\n"
        "  stp x29, x30, [sp, #-16]!\n"
        "  mov x29, x1\n"
        "probe_asm_ud2_ip:\n"
        "  udf #0\n"
        "  ldp x29, x30, [sp], #16\n"
        "  ret\n");
#elif defined(__riscv) && __riscv_xlen == 64
/* s0 is the frame pointer; unimp is the defined illegal instruction
 * (SIGILL), 16 or 32 bits wide depending on the C extension: the ip is
 * its start either way. */
__asm__(".text\n"
        ".globl probe_asm_load, probe_asm_load_ip\n"
        ".hidden probe_asm_load, probe_asm_load_ip\n"
        "probe_asm_load:\n"
        "  addi sp, sp, -16\n"
        "  sd s0, 0(sp)\n"
        "  mv s0, a1\n"
        "probe_asm_load_ip:\n"
        "  lbu a0, 0(a0)\n"
        "  ld s0, 0(sp)\n"
        "  addi sp, sp, 16\n"
        "  ret\n"
        ".globl probe_asm_ud2, probe_asm_ud2_ip\n"
        ".hidden probe_asm_ud2, probe_asm_ud2_ip\n"
        "probe_asm_ud2:\n"
        "  addi sp, sp, -16\n"
        "  sd s0, 0(sp)\n"
        "  mv s0, a1\n"
        "probe_asm_ud2_ip:\n"
        "  unimp\n"
        "  ld s0, 0(sp)\n"
        "  addi sp, sp, 16\n"
        "  ret\n");
#else
#error "write the faulting routines for this architecture"
#endif

void probe_asm_load(uintptr_t addr, uintptr_t fp);
void probe_asm_ud2(uintptr_t unused, uintptr_t fp);
extern const char probe_asm_load_ip[], probe_asm_ud2_ip[];
#ifdef HAS_DIV0_TRAP
void probe_asm_div0(uintptr_t unused, uintptr_t fp);
extern const char probe_asm_div0_ip[];
#endif

/* Not a real frame: any recognisable value proves the platform read the
 * frame pointer from the faulting context rather than from its own frame. */
#define SENTINEL_FP ((uintptr_t)0x00005eedf00d0000ull)

uintptr_t probe_sentinel_fp(void) { return SENTINEL_FP; }

uintptr_t probe_trap_ip(int kind) {
  switch (kind) {
  case TRAP_LOAD: return (uintptr_t)probe_asm_load_ip;
  case TRAP_UD2: return (uintptr_t)probe_asm_ud2_ip;
#ifdef HAS_DIV0_TRAP
  case TRAP_DIV0: return (uintptr_t)probe_asm_div0_ip;
#endif
  default: return 0;
  }
}

/* Makes code just written at [start, start + len) visible to instruction
 * fetch: nothing on x86_64, a cache flush on aarch64 and riscv64. The
 * checker's own job, not the platform's: Wasmtime's code memory does the
 * same after writing (embedding/src/icache.rs). */
void probe_sync_icache(char *start, size_t len) {
  __builtin___clear_cache(start, start + len);
}

/* A page no access may touch, for load faults with a known address. */
uint8_t *probe_guard_page(void) {
  void *p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* ---- the trap handler given to wasmtime_init_traps ------------------------ */

void probe_set_decline(int yes) { decline = yes; }

void probe_trap_handler(uintptr_t ip, uintptr_t fp, bool has_faulting_addr,
                        uintptr_t faulting_addr) {
  record.calls++;
  record.ip = ip;
  record.fp = fp;
  record.has_faulting_addr = has_faulting_addr;
  record.faulting_addr = faulting_addr;
  if (!armed)
    return; /* not a probe's fault: decline, as Wasmtime would */
  if (decline) {
    /* A platform that neither forwards nor kills re-runs the instruction,
     * which faults again: stop the loop after a few rounds to report it. */
    if (record.calls < 3)
      return;
    armed = 0;
    siglongjmp(escape, PROBE_LOOPED);
  }
  armed = 0;
  siglongjmp(escape, PROBE_HANDLED);
}

/* Runs the faulting routine `kind`; returns a PROBE_* outcome. The jump
 * buffer does not save the mask (savemask = 0): like Wasmtime, leaving the
 * handler does not unblock anything the platform left blocked. */
int probe_trap(int kind, uintptr_t addr, struct probe_trap_record *out) {
  memset(&record, 0, sizeof record);
  caught_signal = 0;
  int how = sigsetjmp(escape, 0);
  if (how == 0) {
    armed = 1;
    switch (kind) {
    case TRAP_LOAD: probe_asm_load(addr, SENTINEL_FP); break;
    case TRAP_UD2: probe_asm_ud2(0, SENTINEL_FP); break;
#ifdef HAS_DIV0_TRAP
    case TRAP_DIV0: probe_asm_div0(0, SENTINEL_FP); break;
#endif
    default: return -1; /* signals.rs never asks for a kind not built */
    }
    armed = 0;
    how = PROBE_NO_FAULT;
  }
  *out = record;
  return how;
}

int probe_caught_signal(void) { return caught_signal; }

/* Whether `signo` is blocked on the calling thread right now. */
int probe_signal_blocked(int signo) {
  sigset_t set;
  sigemptyset(&set);
  pthread_sigmask(SIG_BLOCK, NULL, &set);
  return sigismember(&set, signo);
}

/*
 * Wasmtime's platform hooks, implemented for Linux.
 *
 * This file is the model for a port. Everything the no_std embedding needs
 * from an operating system is here, each hook in its own section, each
 * section compiled only when the mode needs it:
 *
 *   always                        TLS                 (minimal, vm, full)
 *   WASMTIME_VIRTUAL_MEMORY       mmap, memory images (vm, full)
 *   WASMTIME_CUSTOM_SYNC          locks               (vm, full)
 *   WASMTIME_NATIVE_SIGNALS       trap handling       (full)
 *   WASMTIME_CUSTOM_FIBER         stack switching     (no x86_64 build: see
 *                                                     that section)
 *   EMBEDDING_OS_SERVICES         clocks, entropy, console for WASI
 *                                                     (builds with `wasi`)
 *
 * The contract of every Wasmtime hook is documented in wasmtime-platform.h,
 * which is generated from Wasmtime itself; that of the OS services in
 * embedding-os.h, generated from the embedding's own declarations. Comments below say how Linux meets that
 * contract and what a port must preserve. Return values: 0 on success, an
 * error code otherwise (here: the errno value), which Wasmtime reports as
 * "os error N".
 */

#define _GNU_SOURCE
#include "wasmtime-platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(WASMTIME_VIRTUAL_MEMORY)
#include <sys/mman.h>
#include <unistd.h>
#if defined(__riscv)
#include <sys/cachectl.h>
#endif
#endif

#if defined(WASMTIME_CUSTOM_SYNC)
#include <pthread.h>
#endif

#if defined(WASMTIME_NATIVE_SIGNALS)
#include <signal.h>
#include <ucontext.h>
#endif

#if defined(EMBEDDING_OS_SERVICES)
#include "embedding-os.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#endif

/* ------------------------------------------------------------------------
 * TLS: two pointers per thread, NULL until set.
 *
 * Slot 0 is Wasmtime's per-thread runtime state; slot 1 is only used with the
 * component-model-async feature. A kernel without threads can use two
 * globals; one with threads must keep them per thread (or per CPU with
 * preemption disabled while Wasmtime runs).
 * ------------------------------------------------------------------------ */

#define TLS_SLOTS 2

/* initial-exec: Wasmtime reads and writes slot 0 on every call into and
 * out of WebAssembly, and the default model for a shared object (global
 * dynamic) makes each access a call to __tls_get_addr: about a tenth of an
 * empty host->wasm call in `perf`. Two pointers fit the static TLS that
 * glibc keeps spare for libraries loaded with dlopen. */
static __thread uint8_t *tls_slots[TLS_SLOTS] __attribute__((tls_model("initial-exec")));

uint8_t *wasmtime_tls_get(uintptr_t slot) {
  return slot < TLS_SLOTS ? tls_slots[slot] : NULL;
}

void wasmtime_tls_set(uintptr_t slot, uint8_t *ptr) {
  if (slot < TLS_SLOTS)
    tls_slots[slot] = ptr;
}

/* ------------------------------------------------------------------------
 * Virtual memory.
 *
 * Wasmtime reserves large regions (4 GiB plus guards per linear memory in
 * the `full` mode) and makes parts of them accessible as memories grow. A port
 * needs: reserve address space with given protections, replace a range with
 * fresh zero pages, release, change protection, and the page size.
 * ------------------------------------------------------------------------ */

#if defined(WASMTIME_VIRTUAL_MEMORY)

static int linux_prot(uint32_t flags) {
  int prot = PROT_NONE;
  if (flags & WASMTIME_PROT_READ)
    prot |= PROT_READ;
  if (flags & WASMTIME_PROT_WRITE)
    prot |= PROT_WRITE;
  if (flags & WASMTIME_PROT_EXEC)
    prot |= PROT_EXEC;
  return prot;
}

/*
 * Anonymous private memory is zero-filled and committed lazily, page by
 * page, on first touch: exactly the "may be lazily committed" the contract
 * allows. MAP_NORESERVE keeps large read-write reservations from being
 * refused by the kernel's overcommit heuristic, since most of a reservation
 * is never touched.
 */
int32_t wasmtime_mmap_new(uintptr_t size, uint32_t prot_flags, uint8_t **ret) {
  void *addr = mmap(NULL, size, linux_prot(prot_flags),
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (addr == MAP_FAILED)
    return errno;
  *ret = addr;
  return 0;
}

/*
 * MAP_FIXED over an existing range atomically discards the old pages and
 * puts fresh zero pages in their place, with no window in which another
 * mapping could take the address. A port must both zero the range and keep
 * the address: Wasmtime uses this to reset memory for reuse.
 */
int32_t wasmtime_mmap_remap(uint8_t *addr, uintptr_t size, uint32_t prot_flags) {
  void *res = mmap(addr, size, linux_prot(prot_flags),
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  if (res == MAP_FAILED)
    return errno;
  return 0;
}

int32_t wasmtime_munmap(uint8_t *ptr, uintptr_t size) {
  return munmap(ptr, size) == 0 ? 0 : errno;
}

/*
 * On riscv64 the embedding runs `fence.i` after making code executable
 * (embedding/src/icache.rs), but that orders only the hart it runs on, and
 * Linux may move this thread, or run another thread of the process, on any
 * hart. __riscv_flush_icache with flags 0 asks the kernel to make every
 * hart's instruction fetch see the code (a remote fence.i on the harts that
 * run this process, a deferred one on the others). aarch64 and x86_64 need
 * nothing here: aarch64's DC CVAU / IC IVAU (icache.rs) reach every core
 * by themselves, and x86_64 keeps fetch coherent in hardware.
 */
int32_t wasmtime_mprotect(uint8_t *ptr, uintptr_t size, uint32_t prot_flags) {
  if (mprotect(ptr, size, linux_prot(prot_flags)) != 0)
    return errno;
#if defined(__riscv)
  if ((prot_flags & WASMTIME_PROT_EXEC) && __riscv_flush_icache(ptr, ptr + size, 0) != 0)
    return errno;
#endif
  return 0;
}

uintptr_t wasmtime_page_size(void) {
  return (uintptr_t)sysconf(_SC_PAGESIZE);
}

/*
 * Memory images: the initial contents of a linear memory (its data
 * segments), kept once and mapped copy-on-write into every instance, so
 * instantiation costs a mapping instead of a copy.
 *
 * Linux: the contents go into a memfd (an anonymous file in RAM); each
 * instance maps it MAP_PRIVATE, so its writes go to its own private copies
 * of the touched pages and neither the file nor other instances see them.
 * A port without shareable pages may store NULL in *ret and return 0:
 * Wasmtime then copies the data segments into each instance instead.
 */
struct wasmtime_memory_image {
  int fd;
  size_t len;
};

int32_t wasmtime_memory_image_new(const uint8_t *ptr, uintptr_t len,
                                  struct wasmtime_memory_image **ret) {
  *ret = NULL;
  int fd = memfd_create("wasmtime-memory-image", MFD_CLOEXEC);
  if (fd < 0)
    return errno == ENOSYS ? 0 : errno; /* no memfd: fall back to copying */
  if (ftruncate(fd, (off_t)len) != 0)
    goto fail;
  /* `ptr` is only valid during this call: copy it all into the file now. */
  for (size_t done = 0; done < len;) {
    ssize_t n = pwrite(fd, ptr + done, len - done, (off_t)done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      goto fail;
    done += (size_t)n;
  }
  struct wasmtime_memory_image *image = malloc(sizeof *image);
  if (image == NULL) {
    errno = ENOMEM;
    goto fail;
  }
  image->fd = fd;
  image->len = len;
  *ret = image;
  return 0;

fail:;
  int err = errno ? errno : EIO;
  close(fd);
  return err;
}

int32_t wasmtime_memory_image_map_at(struct wasmtime_memory_image *image,
                                     uint8_t *addr, uintptr_t len) {
  if (len > image->len)
    return EINVAL;
  void *res = mmap(addr, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_FIXED, image->fd, 0);
  if (res == MAP_FAILED)
    return errno;
  return 0;
}

/* Existing mappings keep their pages alive; closing the fd is enough. */
void wasmtime_memory_image_free(struct wasmtime_memory_image *image) {
  close(image->fd);
  free(image);
}

#endif /* WASMTIME_VIRTUAL_MEMORY */

/* ------------------------------------------------------------------------
 * Locks.
 *
 * Wasmtime hands over one pointer-sized word per lock, zeroed, and expects
 * it to be initialised lazily on first use. A pthread lock does not fit in a
 * word, so the word holds a pointer to one, installed with a compare-and-
 * swap (the loser of a race frees its copy). A kernel would put its own
 * mutex (or a futex-style word) here.
 * ------------------------------------------------------------------------ */

#if defined(WASMTIME_CUSTOM_SYNC)

static void *lazy_lock(uintptr_t *word, size_t size, int (*init)(void *)) {
  void *lock = (void *)__atomic_load_n(word, __ATOMIC_ACQUIRE);
  if (lock != NULL)
    return lock;
  void *fresh = malloc(size);
  if (fresh == NULL || init(fresh) != 0) {
    /* The hooks cannot report errors; a lock that cannot exist is fatal. */
    fputs("wasmtime-platform: cannot create a lock\n", stderr);
    abort();
  }
  uintptr_t expected = 0;
  if (__atomic_compare_exchange_n(word, &expected, (uintptr_t)fresh, false,
                                  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return fresh;
  free(fresh); /* another thread won; default-initialised locks need no destroy */
  return (void *)expected;
}

static int mutex_init(void *m) { return pthread_mutex_init(m, NULL); }
static int rwlock_init(void *l) { return pthread_rwlock_init(l, NULL); }

static pthread_mutex_t *mutex(uintptr_t *word) {
  return lazy_lock(word, sizeof(pthread_mutex_t), mutex_init);
}

static pthread_rwlock_t *rwlock(uintptr_t *word) {
  return lazy_lock(word, sizeof(pthread_rwlock_t), rwlock_init);
}

/*
 * Debug counters, not a hook: every acquisition through the hooks below,
 * and those that found the lock taken and had to wait (a failed try-lock
 * first). The host's `threads` check reads them through
 * embedding_platform_lock_counts to show the locks were really contended.
 * A port needs neither.
 */
static uint64_t lock_acquired, lock_contended;

void embedding_platform_lock_counts(uint64_t *acquired, uint64_t *contended);
void embedding_platform_lock_counts(uint64_t *acquired, uint64_t *contended) {
  *acquired = __atomic_load_n(&lock_acquired, __ATOMIC_RELAXED);
  *contended = __atomic_load_n(&lock_contended, __ATOMIC_RELAXED);
}

static void counted(int tried) {
  __atomic_fetch_add(&lock_acquired, 1, __ATOMIC_RELAXED);
  if (tried != 0)
    __atomic_fetch_add(&lock_contended, 1, __ATOMIC_RELAXED);
}

void wasmtime_sync_lock_acquire(uintptr_t *lock) {
  pthread_mutex_t *m = mutex(lock);
  int busy = pthread_mutex_trylock(m);
  if (busy != 0)
    pthread_mutex_lock(m);
  counted(busy);
}

void wasmtime_sync_lock_release(uintptr_t *lock) {
  pthread_mutex_unlock(mutex(lock));
}

/* May be called on a lock never used: then the word is still zero. */
void wasmtime_sync_lock_free(uintptr_t *lock) {
  pthread_mutex_t *m = (pthread_mutex_t *)*lock;
  if (m != NULL) {
    pthread_mutex_destroy(m);
    free(m);
    *lock = 0;
  }
}

void wasmtime_sync_rwlock_read(uintptr_t *lock) {
  pthread_rwlock_t *l = rwlock(lock);
  int busy = pthread_rwlock_tryrdlock(l);
  if (busy != 0)
    pthread_rwlock_rdlock(l);
  counted(busy);
}

void wasmtime_sync_rwlock_read_release(uintptr_t *lock) {
  pthread_rwlock_unlock(rwlock(lock));
}

void wasmtime_sync_rwlock_write(uintptr_t *lock) {
  pthread_rwlock_t *l = rwlock(lock);
  int busy = pthread_rwlock_trywrlock(l);
  if (busy != 0)
    pthread_rwlock_wrlock(l);
  counted(busy);
}

void wasmtime_sync_rwlock_write_release(uintptr_t *lock) {
  pthread_rwlock_unlock(rwlock(lock));
}

void wasmtime_sync_rwlock_free(uintptr_t *lock) {
  pthread_rwlock_t *l = (pthread_rwlock_t *)*lock;
  if (l != NULL) {
    pthread_rwlock_destroy(l);
    free(l);
    *lock = 0;
  }
}

#endif /* WASMTIME_CUSTOM_SYNC */

/* ------------------------------------------------------------------------
 * Trap handling.
 *
 * In the `full` mode Wasmtime lets the hardware detect out-of-bounds
 * accesses (a fault in a guard page), division by zero and `unreachable`
 * (ud2). The platform routes those faults to Wasmtime's handler with the
 * faulting instruction pointer, frame pointer and, for memory faults, the
 * faulting address. If the fault was in WebAssembly the handler does not
 * return: it resumes execution at Wasmtime's trap landing pad, leaving the
 * signal frame behind. If it returns, the fault is not Wasmtime's and goes on
 * to whatever handled it before (on Linux, the host's own handler).
 * ------------------------------------------------------------------------ */

#if defined(WASMTIME_NATIVE_SIGNALS)

static const int trap_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
#define NUM_TRAP_SIGNALS (sizeof trap_signals / sizeof trap_signals[0])

static wasmtime_trap_handler_t trap_handler;
static struct sigaction previous_actions[NUM_TRAP_SIGNALS];

static void restore_default_and_reraise(int signo, const siginfo_t *info) {
  struct sigaction dfl = {0};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(signo, &dfl, NULL);
  /* A hardware fault recurs when the handler returns and now kills the
   * process with a core dump. A signal sent by kill() would not recur, so
   * send it again. */
  if (info->si_code <= 0)
    raise(signo);
}

static void forward_signal(size_t index, int signo, siginfo_t *info, void *context) {
  const struct sigaction *prev = &previous_actions[index];
  if (prev->sa_flags & SA_SIGINFO) {
    prev->sa_sigaction(signo, info, context);
  } else if (prev->sa_handler == SIG_DFL || prev->sa_handler == SIG_IGN) {
    /* Ignoring a synchronous fault would re-run the faulting instruction
     * forever, so SIG_IGN gets the default action too. */
    restore_default_and_reraise(signo, info);
  } else {
    prev->sa_handler(signo);
  }
}

static void handle_signal(int signo, siginfo_t *info, void *context) {
  ucontext_t *uc = context;
  uintptr_t ip, fp;
#if defined(__x86_64__)
  ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
#elif defined(__aarch64__)
  ip = (uintptr_t)uc->uc_mcontext.pc;
  fp = (uintptr_t)uc->uc_mcontext.regs[29];
#elif defined(__riscv) && __riscv_xlen == 64
  /* glibc names the integer registers by index; s0 is the frame pointer. */
  ip = (uintptr_t)uc->uc_mcontext.__gregs[REG_PC];
  fp = (uintptr_t)uc->uc_mcontext.__gregs[REG_S0];
#else
#error "read the faulting pc and frame pointer from this architecture's ucontext"
#endif
  /* Only memory faults carry a meaningful address; Wasmtime checks that it
   * lies in a linear memory's guard region before calling it a trap. */
  bool has_addr = signo == SIGSEGV || signo == SIGBUS;
  trap_handler(ip, fp, has_addr, (uintptr_t)info->si_addr);

  /* Returned: not a WebAssembly trap. */
  for (size_t i = 0; i < NUM_TRAP_SIGNALS; i++) {
    if (trap_signals[i] == signo) {
      forward_signal(i, signo, info, context);
      return;
    }
  }
}

int32_t wasmtime_init_traps(wasmtime_trap_handler_t handler) {
  /* Installing twice would record our own handler as the "previous" one and
   * make forwarding loop forever. */
  if (trap_handler != NULL)
    return handler == trap_handler ? 0 : EBUSY;
  trap_handler = handler;

  struct sigaction action = {0};
  action.sa_sigaction = handle_signal;
  /*
   * SA_SIGINFO: the handler needs the faulting address and the register
   *   context.
   * SA_NODEFER: when Wasmtime handles a trap it jumps out of the signal
   *   handler instead of returning, so the kernel never restores the signal
   *   mask. Without this flag the signal would stay blocked on this thread
   *   and the next trap would kill the process.
   * SA_ONSTACK: run on the thread's alternate stack if it has one, so a
   *   fault caused by native stack exhaustion can still be handled.
   *   (WebAssembly itself never overflows the native stack: Wasmtime checks
   *   its stack limit explicitly.)
   */
  action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (size_t i = 0; i < NUM_TRAP_SIGNALS; i++) {
    if (sigaction(trap_signals[i], &action, &previous_actions[i]) != 0)
      return errno;
  }
  return 0;
}

#endif /* WASMTIME_NATIVE_SIGNALS */

/* ------------------------------------------------------------------------
 * OS services for WASI: clocks, entropy, the console.
 *
 * Only an embedding built with the `wasi` feature imports these (their
 * contract is in embedding-os.h), so the section is compiled only with
 * EMBEDDING_OS_SERVICES: a port without WASI never writes them. None of
 * them calls back into the embedding.
 * ------------------------------------------------------------------------ */

#if defined(EMBEDDING_OS_SERVICES)

#define NANOS_PER_SECOND 1000000000ull

static uint64_t timespec_nanos(const struct timespec *ts) {
  return (uint64_t)ts->tv_sec * NANOS_PER_SECOND + (uint64_t)ts->tv_nsec;
}

/*
 * CLOCK_MONOTONIC is one clock for the whole machine (the kernel corrects
 * per-CPU counters), so a read on one thread is never earlier than a read
 * that happened before it on another. A kernel reading a per-CPU cycle
 * counter must make the same promise, e.g. with a synchronised TSC.
 */
uint64_t embedding_os_monotonic_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail for this clock */
  return timespec_nanos(&ts);
}

uint64_t embedding_os_monotonic_resolution(void) {
  struct timespec ts;
  if (clock_getres(CLOCK_MONOTONIC, &ts) != 0)
    return 1;
  uint64_t nanos = timespec_nanos(&ts);
  return nanos != 0 ? nanos : 1; /* zero is not a resolution */
}

/* Before 1970 cannot be expressed in the unsigned result: no wall clock. */
int32_t embedding_os_wall_now(uint64_t *seconds, uint32_t *nanoseconds) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
    return -1;
  *seconds = (uint64_t)ts.tv_sec;
  *nanoseconds = (uint32_t)ts.tv_nsec;
  return 0;
}

/* Kernels before 3.17 lack getrandom(2); /dev/urandom is the same pool. */
static int32_t random_from_urandom(uint8_t *buf, uintptr_t len) {
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  while (len > 0) {
    ssize_t n = read(fd, buf, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      close(fd);
      return -1;
    }
    buf += n;
    len -= (uintptr_t)n;
  }
  close(fd);
  return 0;
}

/*
 * getrandom(2) with no flags blocks only until the kernel's pool has been
 * seeded once (early boot), then never: that wait is what makes the bytes
 * unpredictable. Requests above 256 bytes may be cut short by a signal, so
 * loop until the buffer is full.
 */
int32_t embedding_os_random(uint8_t *buf, uintptr_t len) {
  while (len > 0) {
    ssize_t n = getrandom(buf, len, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno == ENOSYS ? random_from_urandom(buf, len) : -1;
    }
    buf += n;
    len -= (uintptr_t)n;
  }
  return 0;
}

/* A descriptor someone made non-blocking: wait for it instead of failing. */
static int wait_ready(int fd, short events) {
  struct pollfd p = {.fd = fd, .events = events};
  int n;
  do
    n = poll(&p, 1, -1);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

/*
 * Writing to a pipe whose reader has gone raises SIGPIPE, which kills the
 * process unless the host ignores it; the contract asks for -1 instead, and
 * a platform cannot rely on the host's signal dispositions. So SIGPIPE is
 * blocked on this thread for the duration of the write and, if the write
 * raised it, taken back out of the pending set (the approach libraries use
 * where send(MSG_NOSIGNAL) is not available, which is the case for pipes,
 * files and terminals). A SIGPIPE already pending before the write belongs
 * to someone else and is left alone.
 */
int32_t embedding_os_console_write(uint32_t stream, const uint8_t *buf,
                                   uintptr_t len) {
  if (stream != 1 && stream != 2)
    return -1;
  int fd = (int)stream;

  sigset_t sigpipe, saved_mask, pending;
  sigemptyset(&sigpipe);
  sigaddset(&sigpipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigpipe, &saved_mask);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);

  int32_t result = 0;
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n >= 0) { /* possibly short: a pipe, a signal, a full device */
      buf += n;
      len -= (uintptr_t)n;
    } else if (errno == EINTR) {
      continue;
    } else if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
               wait_ready(fd, POLLOUT) == 0) {
      continue;
    } else {
      if (errno == EPIPE && !was_pending) {
        const struct timespec now = {0, 0};
        while (sigtimedwait(&sigpipe, NULL, &now) < 0 && errno == EINTR)
          ;
      }
      result = -1;
      break;
    }
  }
  pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
  return result;
}

intptr_t embedding_os_console_read(uint8_t *buf, uintptr_t len) {
  for (;;) {
    ssize_t n = read(0, buf, len);
    if (n >= 0)
      return n; /* 0: end of input */
    if (errno == EINTR)
      continue;
    if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_ready(0, POLLIN) == 0)
      continue;
    return -1;
  }
}

/*
 * An absolute deadline on the same clock as embedding_os_monotonic_now: a
 * sleep interrupted by a signal simply starts again toward the same
 * deadline, without the drift of recomputing a relative delay.
 */
void embedding_os_sleep_until(uint64_t deadline) {
  struct timespec ts = {
      .tv_sec = (time_t)(deadline / NANOS_PER_SECOND),
      .tv_nsec = (long)(deadline % NANOS_PER_SECOND),
  };
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

#endif /* EMBEDDING_OS_SERVICES */

/* ------------------------------------------------------------------------
 * Stack switching (fibers).
 *
 * Wasmtime runs async calls on fibers: separate stacks it switches to and
 * from. It has built-in switching code for x86_64, aarch64, riscv64, x86,
 * arm, s390x and loongarch64; only on any other architecture does the
 * `custom-fiber` feature make it import these two hooks instead. So no
 * x86_64 embedding ever imports them (Wasmtime 48.0.8's build.rs:
 * has_custom_fiber = !has_builtin_stackswitch && feature "custom-fiber";
 * and the fiber crate's stackswitch.rs picks its x86_64 code before
 * `custom`). Fibers exist only with Wasmtime's `async`, which only the
 * embedding's `wasi` builds enable, and those switch stacks with the
 * built-in code on every architecture built here.
 * This x86_64 version is the reference a porter translates to their own
 * architecture; `host platform-check` proves it, no shipped build uses it.
 *
 * The stack, as Wasmtime lays it out (top_of_stack is 16-byte aligned):
 *
 *   top_of_stack -  8   reserved for Wasmtime (where results are passed);
 *                       written before every switch, never touch it
 *   top_of_stack - 16   the stack pointer of whichever side is suspended:
 *                       the fiber's before it runs or while it waits, the
 *                       resumer's while the fiber runs
 *   below               the fiber's own stack
 *
 * wasmtime_fiber_switch(top) saves the callee-saved registers on the
 * current stack, swaps the stack pointer with the one in top - 16, and
 * restores the other side's registers from its stack. The same call both
 * resumes a fiber and suspends it. Everything else the ABI preserves across
 * a call is the compiler's problem, since switch is an ordinary call to it.
 * (Not saved, like Wasmtime's own x86_64 code: the MXCSR and x87 control
 * words, which nothing in Wasmtime changes.)
 * ------------------------------------------------------------------------ */

#if defined(WASMTIME_CUSTOM_FIBER)
#if !defined(__x86_64__)
#error "write wasmtime_fiber_switch and the fiber start routine for this architecture"
#endif

/* What a suspended side leaves on its stack, lowest address first: exactly
 * what the second half of wasmtime_fiber_switch pops. */
struct fiber_frame {
  uint64_t r15, r14, r13, r12, rbx, rbp;
  void *return_address;
};

/*
 * linux_fiber_start is where a new fiber's first "return" from the switch
 * lands. wasmtime_fiber_init parked entry in r12, its first argument in r13
 * and top_of_stack in r14. When entry returns, its result is the stack to
 * switch to for the last time (Wasmtime returns the fiber's own
 * top_of_stack, which resumes whoever resumed it last); the fiber is never
 * resumed after that, so there is nothing to return to.
 */
__asm__(".text\n"
        ".globl wasmtime_fiber_switch\n"
        ".type wasmtime_fiber_switch, @function\n"
        ".p2align 4\n"
        "wasmtime_fiber_switch:\n"
        ".Lfiber_switch:\n"
        "  push %rbp\n"
        "  push %rbx\n"
        "  push %r12\n"
        "  push %r13\n"
        "  push %r14\n"
        "  push %r15\n"
        "  mov -16(%rdi), %rax\n" /* the other side's saved stack pointer */
        "  mov %rsp, -16(%rdi)\n" /* ours, for whoever switches back */
        "  mov %rax, %rsp\n"
        "  pop %r15\n"
        "  pop %r14\n"
        "  pop %r13\n"
        "  pop %r12\n"
        "  pop %rbx\n"
        "  pop %rbp\n"
        "  ret\n"
        ".size wasmtime_fiber_switch, .-wasmtime_fiber_switch\n"
        ".globl linux_fiber_start\n"
        ".hidden linux_fiber_start\n"
        ".type linux_fiber_start, @function\n"
        "linux_fiber_start:\n"
        "  mov %r13, %rdi\n"
        "  mov %r14, %rsi\n"
        "  call *%r12\n"
        "  mov %rax, %rdi\n"
        /* The local label: a direct call that no other library's
         * wasmtime_fiber_switch can interpose. */
        "  call .Lfiber_switch\n"
        "  ud2\n"
        ".size linux_fiber_start, .-linux_fiber_start\n");

extern const char linux_fiber_start[] __attribute__((visibility("hidden")));

void wasmtime_fiber_init(uint8_t *top_of_stack,
                         uint8_t *(*entry)(uint8_t *, uint8_t *),
                         uint8_t *entry_arg0) {
  /*
   * The first frame sits below the two reserved slots, placed so that
   * linux_fiber_start runs with rsp 16-byte aligned (the switch's `ret`
   * pops the last slot): its `call` then enters `entry` with rsp + 8
   * aligned, as the ABI requires at every function entry.
   */
  uintptr_t base = ((uintptr_t)top_of_stack - 16) & ~(uintptr_t)15;
  struct fiber_frame *frame = (struct fiber_frame *)base - 1;
  *frame = (struct fiber_frame){
      .r12 = (uint64_t)(uintptr_t)entry,
      .r13 = (uint64_t)(uintptr_t)entry_arg0,
      .r14 = (uint64_t)(uintptr_t)top_of_stack,
      .rbp = 0, /* ends frame-pointer walks at the fiber's base */
      .return_address = (void *)linux_fiber_start,
  };
  ((struct fiber_frame **)top_of_stack)[-2] = frame;
}

#endif /* WASMTIME_CUSTOM_FIBER */

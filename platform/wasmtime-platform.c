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
 *
 * The contract of every function is documented in wasmtime-platform.h, which
 * is generated from Wasmtime itself. Comments below say how Linux meets that
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
#endif

#if defined(WASMTIME_CUSTOM_SYNC)
#include <pthread.h>
#endif

#if defined(WASMTIME_NATIVE_SIGNALS)
#include <signal.h>
#include <ucontext.h>
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

static __thread uint8_t *tls_slots[TLS_SLOTS];

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

int32_t wasmtime_mprotect(uint8_t *ptr, uintptr_t size, uint32_t prot_flags) {
  return mprotect(ptr, size, linux_prot(prot_flags)) == 0 ? 0 : errno;
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

void wasmtime_sync_lock_acquire(uintptr_t *lock) {
  pthread_mutex_lock(mutex(lock));
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
  pthread_rwlock_rdlock(rwlock(lock));
}

void wasmtime_sync_rwlock_read_release(uintptr_t *lock) {
  pthread_rwlock_unlock(rwlock(lock));
}

void wasmtime_sync_rwlock_write(uintptr_t *lock) {
  pthread_rwlock_wrlock(rwlock(lock));
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

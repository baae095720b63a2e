//! The global allocator: dlmalloc over a static arena the embedding owns.
//!
//! A `minimal` platform offers no memory hooks at all, so the heap is a
//! zero-initialised static array (it lands in `.bss`: it costs nothing in the
//! image and, on Linux, no RAM until touched). Its size is fixed when the
//! embedding is built: `EMBEDDING_HEAP_MIB` (default 512), or
//! `EMBEDDING_HEAP_KIB` on a microcontroller. WebAssembly linear
//! memory in `minimal` mode is allocated from it too.
//!
//! Running out makes the allocation return null; Rust then panics with
//! "memory allocation of N bytes failed", and the panic handler reports that
//! together with the heap's size (see `panic.rs`).

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use dlmalloc::{Allocator, Dlmalloc};

/// Heap size in bytes, from `EMBEDDING_HEAP_MIB` at build time, or from
/// `EMBEDDING_HEAP_KIB` for a microcontroller, whose whole RAM is a fraction
/// of a MiB. Setting both is refused rather than one silently winning.
pub const HEAP_SIZE: usize = match (
    option_env!("EMBEDDING_HEAP_MIB"),
    option_env!("EMBEDDING_HEAP_KIB"),
) {
    (Some(_), Some(_)) => panic!("set EMBEDDING_HEAP_MIB or EMBEDDING_HEAP_KIB, not both"),
    (None, Some(kib)) => parse_size(kib, "EMBEDDING_HEAP_KIB must be a whole number of KiB") << 10,
    (Some(mib), None) => parse_size(mib, "EMBEDDING_HEAP_MIB must be a whole number of MiB") << 20,
    (None, None) => 512 << 20,
};

/// A positive decimal number; `what` is the message for anything else.
const fn parse_size(text: &str, what: &str) -> usize {
    let bytes = text.as_bytes();
    assert!(!bytes.is_empty(), "{}", what);
    let mut value = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i].is_ascii_digit(), "{}", what);
        value = value * 10 + (bytes[i] - b'0') as usize;
        i += 1;
    }
    assert!(value > 0, "{}", what);
    value
}

// Page-aligned where there are pages; on a 32-bit microcontroller the
// padding in front of a 4 KiB-aligned arena would cost up to 4 KiB of a
// few hundred KiB of RAM, and dlmalloc aligns its chunks itself.
#[cfg_attr(target_pointer_width = "64", repr(C, align(4096)))]
#[cfg_attr(not(target_pointer_width = "64"), repr(C, align(16)))]
struct Arena(UnsafeCell<[u8; HEAP_SIZE]>);

// SAFETY: the arena is handed to dlmalloc once and only touched through it.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena(UnsafeCell::new([0; HEAP_SIZE]));

/// Hands dlmalloc the whole arena as a single segment on its first request,
/// and nothing after that.
struct ArenaSource {
    given: AtomicBool,
}

// SAFETY: follows the trait's contract: the region returned is valid,
// exclusively dlmalloc's, zeroed, and never released.
unsafe impl Allocator for ArenaSource {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        if size > HEAP_SIZE || self.given.swap(true, Ordering::Relaxed) {
            return (ptr::null_mut(), 0, 0);
        }
        (ARENA.0.get().cast(), HEAP_SIZE, 0)
    }
    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        ptr::null_mut()
    }
    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }
    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }
    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }
    fn allocates_zeros(&self) -> bool {
        true
    }
    fn page_size(&self) -> usize {
        4096
    }
}

/// dlmalloc behind a spin lock. Critical sections are short and never block,
/// so spinning is enough for the host's threads; a kernel that allocates from
/// interrupt handlers would mask interrupts here instead.
struct LockedHeap {
    locked: AtomicBool,
    used: AtomicUsize,
    peak: AtomicUsize,
    dlmalloc: UnsafeCell<Dlmalloc<ArenaSource>>,
}

// SAFETY: `dlmalloc` is only reached with `locked` held.
unsafe impl Sync for LockedHeap {}

impl LockedHeap {
    fn with<R>(&self, f: impl FnOnce(&mut Dlmalloc<ArenaSource>) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is held.
        let result = f(unsafe { &mut *self.dlmalloc.get() });
        self.locked.store(false, Ordering::Release);
        result
    }

    fn account(&self, ptr: *mut u8, added: usize, removed: usize) -> *mut u8 {
        if !ptr.is_null() {
            let now = self.used.fetch_add(added, Ordering::Relaxed) + added;
            self.peak.fetch_max(now, Ordering::Relaxed);
            self.used.fetch_sub(removed, Ordering::Relaxed);
        }
        ptr
    }
}

unsafe impl GlobalAlloc for LockedHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = self.with(|d| unsafe { d.malloc(layout.size(), layout.align()) });
        self.account(ptr, layout.size(), 0)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = self.with(|d| unsafe { d.calloc(layout.size(), layout.align()) });
        self.account(ptr, layout.size(), 0)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.with(|d| unsafe { d.free(ptr, layout.size(), layout.align()) });
        self.used.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = self.with(|d| unsafe { d.realloc(ptr, layout.size(), layout.align(), new_size) });
        self.account(new, new_size, layout.size())
    }
}

#[global_allocator]
static HEAP: LockedHeap = LockedHeap {
    locked: AtomicBool::new(false),
    used: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
    dlmalloc: UnsafeCell::new(Dlmalloc::new_with_allocator(ArenaSource {
        given: AtomicBool::new(false),
    })),
};

/// Bytes currently allocated (requested sizes, without dlmalloc's overhead).
pub unsafe extern "C" fn heap_used() -> usize {
    HEAP.used.load(Ordering::Relaxed)
}

/// The most bytes ever allocated at once (the high-water mark of
/// [`heap_used`]): what a board's heap must at least hold.
pub unsafe extern "C" fn heap_peak() -> usize {
    HEAP.peak.load(Ordering::Relaxed)
}

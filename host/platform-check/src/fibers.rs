//! `wasmtime_fiber_init` / `wasmtime_fiber_switch` (`WASMTIME_CUSTOM_FIBER`).
//!
//! Wasmtime 48 imports these only on an architecture without built-in
//! stack switching; x86_64 has it, so no embedding built here imports them.
//! They are tested here so that the reference implementation a porter
//! translates is proven, and so a port's own can be.
//!
//! The probe sets a stack up as Wasmtime does: 16-byte aligned top, the
//! word at top - 8 written before every switch (Wasmtime passes results
//! there), top - 16 left to the platform. The fiber runs Rust code of ours,
//! entered through fibers.c's `probe_fiber_entry`, which records the stack
//! pointer it was entered with.

use super::hooks::Libs;
use super::{Feature, Pass, Rule, step};
use anyhow::{Result, bail, ensure};
use std::sync::atomic::{AtomicPtr, Ordering};

const FIBERS: &[Feature] = &[Feature::Fibers];

/// Why the fiber rules cannot run on this architecture: their probes
/// (fibers.c) and the platform's reference implementation are x86_64
/// assembly, and Wasmtime 48 has built-in stack switching on aarch64 and
/// riscv64 too (its build.rs), so no embedding for them imports the hooks.
pub fn skipped_here(rule: &Rule) -> Option<&'static str> {
    let here = cfg!(target_arch = "x86_64");
    (!here && rule.needs.contains(&Feature::Fibers)).then_some(
        "the fiber probes and the reference fibers are x86_64 only; Wasmtime 48 switches stacks \
         itself on this architecture and never imports these hooks",
    )
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "fiber-entry",
        hook: "wasmtime_fiber_init",
        text: "the first switch runs entry(arg0, top_of_stack) on the fiber's stack, and its \
               return switches back",
        needs: FIBERS,
        probe: entry,
    },
    Rule {
        id: "fiber-aligned",
        hook: "wasmtime_fiber_init",
        text: "entry starts with the stack aligned as the ABI requires (rsp + 8 a multiple of 16)",
        needs: FIBERS,
        probe: aligned,
    },
    Rule {
        id: "fiber-callee-saved",
        hook: "wasmtime_fiber_switch",
        text: "rbx, rbp, r12-r15 and rsp survive switches in both directions",
        needs: FIBERS,
        probe: callee_saved,
    },
    Rule {
        id: "fiber-round-trips",
        hook: "wasmtime_fiber_switch",
        text: "10,000 round trips to each of two fibers in turn pass control and values",
        needs: FIBERS,
        probe: round_trips,
    },
];

type Entry = extern "C" fn(*mut u8, *mut u8) -> *mut u8;
type Init = unsafe extern "C" fn(*mut u8, Entry, *mut u8);
type Switch = unsafe extern "C" fn(*mut u8);
type Checked = unsafe extern "C" fn(*mut u8, Switch, u64, *mut Record);

/// `struct probe_switch_record` of fibers.c.
#[repr(C)]
#[derive(Default, Clone, Copy, Debug)]
struct Record {
    rsp_before: u64,
    rsp_after: u64,
    regs: [u64; 6],
}

const REGS: [&str; 6] = ["rbx", "rbp", "r12", "r13", "r14", "r15"];
const SALT_MAIN: u64 = 0x1111_0000_0000_0000;
const SALT_FIBER: u64 = 0x2222_0000_0000_0000;
/// What "Wasmtime" stores at top - 8 before each switch.
const RESULT_SLOT: usize = 0x5eed_0000_0008;
const STACK: usize = 256 << 10;

/// What the fiber and the probe share. The fiber finds it through `CURRENT`,
/// never through its arguments, which are what is being tested.
struct Shared {
    top: *mut u8,
    switch: Switch,
    checked: Checked,
    test: Test,
    entered: usize,
    args: (usize, usize),
    slot_seen: usize,
    local_addr: usize,
    value: u64,
    /// The fiber answers `value * factor + 1`: each fiber its own factor.
    factor: u64,
    stop: bool,
    errors: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Test {
    Entry,
    CalleeSaved,
    RoundTrips,
}

static CURRENT: AtomicPtr<Shared> = AtomicPtr::new(std::ptr::null_mut());

/// Checks what probe_fiber_switch_checked saw when control came back.
fn check_record(side: &str, salt: u64, rec: &Record) -> Option<String> {
    let lost: Vec<String> = REGS
        .iter()
        .zip(rec.regs)
        .enumerate()
        .filter(|(i, (_, v))| *v != salt + *i as u64 + 1)
        .map(|(i, (name, v))| format!("{name} {v:#x} instead of {:#x}", salt + i as u64 + 1))
        .collect();
    if rec.rsp_after != rec.rsp_before {
        return Some(format!(
            "the {side} came back with rsp {:#x}, not {:#x}",
            rec.rsp_after, rec.rsp_before
        ));
    }
    // The helper calls the switch with rsp aligned if it was itself called
    // with an aligned stack: on the fiber's side, a check of the stack the
    // platform set up after a switch, not just at entry.
    if !rec.rsp_before.is_multiple_of(16) {
        return Some(format!(
            "the {side} called the switch with rsp {:#x}, not 16-byte aligned",
            rec.rsp_before
        ));
    }
    (!lost.is_empty()).then(|| format!("the {side} came back with {}", lost.join(", ")))
}

/// The fiber: runs on the platform's stack.
extern "C" fn fiber_main(arg0: *mut u8, top: *mut u8) -> *mut u8 {
    let shared = CURRENT.load(Ordering::Acquire);
    // SAFETY: the probe keeps `Shared` alive and does not touch it while
    // the fiber runs (control is in one place at a time).
    let s = unsafe { &mut *shared };
    s.entered += 1;
    s.args = (arg0 as usize, top as usize);
    let local = 0u8;
    s.local_addr = std::ptr::addr_of!(local) as usize;
    if std::ptr::eq(arg0.cast::<Shared>(), shared) && top == s.top {
        // SAFETY: the slot Wasmtime writes; `top` is the real top here.
        s.slot_seen = unsafe { top.cast::<usize>().sub(1).read() };
    }
    match s.test {
        Test::Entry => {}
        Test::CalleeSaved => {
            let mut rec = Record::default();
            // SAFETY: suspends to the probe, which resumes us once.
            unsafe { (s.checked)(s.top, s.switch, SALT_FIBER, &mut rec) };
            s.errors.extend(check_record("fiber", SALT_FIBER, &rec));
        }
        Test::RoundTrips => {
            while !s.stop {
                s.value = s.value * s.factor + 1;
                // SAFETY: suspends to the probe.
                unsafe { (s.switch)(s.top) };
            }
        }
    }
    // Always the real top: a wrong argument is reported, not followed.
    s.top
}

/// A fiber stack in fresh pages, with an inaccessible page below it.
struct Stack {
    base: *mut u8,
    len: usize,
}

impl Stack {
    fn new() -> Result<Stack> {
        let len = STACK + 4096;
        // SAFETY: a fresh anonymous mapping.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        ensure!(base != libc::MAP_FAILED, "cannot map a fiber stack");
        // SAFETY: the first page of our own mapping.
        unsafe { libc::mprotect(base, 4096, libc::PROT_NONE) };
        Ok(Stack {
            base: base.cast(),
            len,
        })
    }

    fn top(&self) -> *mut u8 {
        self.base.wrapping_add(self.len)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: our own mapping, no longer in use.
        unsafe { libc::munmap(self.base.cast(), self.len) };
    }
}

struct Fiber {
    stack: Stack,
    shared: Box<Shared>,
    entry_sp: unsafe extern "C" fn() -> u64,
}

impl Fiber {
    /// Initialises a fiber for `test` (entry goes through fibers.c's stub).
    fn new(libs: &Libs, test: Test) -> Result<Fiber> {
        let init: Init = libs.sym("wasmtime_fiber_init")?;
        let switch: Switch = libs.sym("wasmtime_fiber_switch")?;
        let stub: Entry = libs.helper("probe_fiber_entry")?;
        let set_target: unsafe extern "C" fn(Entry) = libs.helper("probe_fiber_set_target")?;
        let stack = Stack::new()?;
        let mut shared = Box::new(Shared {
            top: stack.top(),
            switch,
            checked: libs.helper("probe_fiber_switch_checked")?,
            test,
            entered: 0,
            args: (0, 0),
            slot_seen: 0,
            local_addr: 0,
            value: 0,
            factor: 2,
            stop: false,
            errors: Vec::new(),
        });
        let arg0: *mut Shared = &mut *shared;
        step("calling wasmtime_fiber_init");
        // SAFETY: a valid stack top, an entry with the contract's signature.
        unsafe {
            set_target(fiber_main);
            init(stack.top(), stub, arg0.cast());
        }
        let fiber = Fiber {
            stack,
            shared,
            entry_sp: libs.helper("probe_fiber_last_entry_sp")?,
        };
        fiber.starts_next();
        Ok(fiber)
    }

    /// Tells `fiber_main` whose `Shared` the next fiber to start is.
    fn starts_next(&self) {
        CURRENT.store(
            &*self.shared as *const Shared as *mut Shared,
            Ordering::Release,
        );
    }

    /// Switches to the fiber as Wasmtime does: result slot first.
    fn resume(&mut self) {
        let top = self.stack.top();
        // SAFETY: the slot Wasmtime owns at the top of the stack.
        unsafe { top.cast::<usize>().sub(1).write(RESULT_SLOT) };
        // SAFETY: the fiber was initialised on this stack.
        unsafe { (self.shared.switch)(top) };
    }

    /// Fails unless entry ran with an aligned stack.
    fn expect_aligned_entry(&self) -> Result<()> {
        // SAFETY: no preconditions.
        let sp = unsafe { (self.entry_sp)() };
        ensure!(
            sp != 0,
            "entry never ran (the first switch came straight back)"
        );
        ensure!(
            sp % 16 == 8,
            "entry ran with rsp {sp:#x}: at a function's entry rsp + 8 must be a multiple \
             of 16 (SSE spills fault otherwise)"
        );
        Ok(())
    }

    fn errors(&self) -> Result<()> {
        match self.shared.errors.first() {
            Some(e) => bail!("{e}"),
            None => Ok(()),
        }
    }
}

fn entry(libs: &Libs) -> Result<Pass> {
    let mut fiber = Fiber::new(libs, Test::Entry)?;
    step("switching to a new fiber");
    fiber.resume();
    fiber.expect_aligned_entry()?;
    let s = &fiber.shared;
    let want = (&**s as *const Shared as usize, fiber.stack.top() as usize);
    ensure!(s.entered == 1, "entry ran {} times", s.entered);
    ensure!(
        s.args == want,
        "entry got ({:#x}, {:#x}), expected (entry_arg0 {:#x}, top_of_stack {:#x})",
        s.args.0,
        s.args.1,
        want.0,
        want.1
    );
    ensure!(
        s.slot_seen == RESULT_SLOT,
        "the word at top_of_stack - 8 read {:#x} in the fiber, not the {RESULT_SLOT:#x} \
         written there before the switch (that slot is Wasmtime's)",
        s.slot_seen
    );
    let range = fiber.stack.base as usize..want.1;
    ensure!(
        range.contains(&s.local_addr),
        "entry's locals were at {:#x}, outside the fiber's stack {range:#x?}",
        s.local_addr
    );
    Ok(None)
}

fn aligned(libs: &Libs) -> Result<Pass> {
    let mut fiber = Fiber::new(libs, Test::Entry)?;
    step("switching to a new fiber");
    fiber.resume();
    fiber.expect_aligned_entry()?;
    Ok(None)
}

fn callee_saved(libs: &Libs) -> Result<Pass> {
    let fiber = Fiber::new(libs, Test::CalleeSaved)?;
    let top = fiber.stack.top();
    for round in ["start", "resume"] {
        step(&format!(
            "switching to the fiber ({round}) with marked registers"
        ));
        let mut rec = Record::default();
        // SAFETY: as in `resume`, through the register-marking helper.
        unsafe {
            top.cast::<usize>().sub(1).write(RESULT_SLOT);
            (fiber.shared.checked)(top, fiber.shared.switch, SALT_MAIN, &mut rec);
        }
        if round == "start" {
            fiber.expect_aligned_entry()?;
        }
        fiber.errors()?;
        if let Some(e) = check_record("resumer", SALT_MAIN, &rec) {
            bail!("{e}");
        }
    }
    Ok(None)
}

/// Two fibers, as Wasmtime has many at once: a platform that keeps the
/// saved stack pointer anywhere but the fiber's own stack mixes them up.
fn round_trips(libs: &Libs) -> Result<Pass> {
    let mut fibers = [
        Fiber::new(libs, Test::RoundTrips)?,
        Fiber::new(libs, Test::RoundTrips)?,
    ];
    fibers[1].shared.factor = 3;
    step("switching to two fibers in turn and back, 10,000 times each");
    for i in 0..10_000u64 {
        for (name, fiber) in ["A", "B"].into_iter().zip(&mut fibers) {
            if i == 0 {
                fiber.starts_next();
            }
            fiber.shared.value = i;
            fiber.resume();
            if i == 0 {
                fiber.expect_aligned_entry()?;
            }
            let want = i * fiber.shared.factor + 1;
            ensure!(
                fiber.shared.value == want,
                "round trip {i} to fiber {name}: its answer is {}, expected {want} (was \
                 the other fiber resumed? each fiber's state belongs on its own stack)",
                fiber.shared.value
            );
        }
    }
    for fiber in &mut fibers {
        fiber.shared.stop = true;
        fiber.resume();
        ensure!(
            fiber.shared.entered == 1,
            "entry ran {} times",
            fiber.shared.entered
        );
    }
    Ok(None)
}

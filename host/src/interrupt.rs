//! The `interrupt` check of `host reliability`: runaway guests (a bare
//! loop, a loop of calls, a loop over memory) stopped by the engine's epoch,
//! bumped from another thread (and from a signal handler, as a platform's
//! timer interrupt would) while the guest runs, and by fuel; each store is
//! used again afterwards. A watchdog turns a guest that is never stopped
//! into a FAIL line rather than a hang.

use crate::artifacts::Compiler;
use crate::embedding::{Embedding, Engine, Failure, Module, Store};
use crate::values::Value;
use anyhow::{Result, bail, ensure};
use embedding_abi::{EMB_MAX_DEADLINE_TICKS, EMB_NO_DEADLINE, EmbErrorKind};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};
use wasmtime::Trap;

/// Each runaway export calls `host.started` once, then never returns on
/// its own. `count` is a bounded loop, to show a store still works.
pub const RUNAWAY: &str = r#"(module
  (import "host" "started" (func $started))
  (memory 16)
  (func $step (param i32) (result i32)
    (i32.add (i32.mul (local.get 0) (i32.const 7)) (i32.const 1)))
  (func (export "spin")
    (call $started)
    (loop $l (br $l)))
  (func (export "calls") (local $x i32)
    (call $started)
    (loop $l
      (local.set $x (call $step (local.get $x)))
      (br $l)))
  (func (export "memory") (local $a i32)
    (call $started)
    (loop $l
      (memory.fill (i32.const 0) (local.get $a) (i32.const 1048576))
      (memory.copy (i32.const 0) (i32.const 524288) (i32.const 524288))
      (i64.store (i32.and (i32.mul (local.get $a) (i32.const 4104)) (i32.const 0xffff8))
                 (i64.extend_i32_u (local.get $a)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $l)))
  (func (export "count") (param i32) (result i32) (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i)))"#;

/// The runaway exports.
pub const GUESTS: &[&str] = &["spin", "calls", "memory"];

/// How long a guest runs before the epoch is bumped.
const RUN_BEFORE_TICK: Duration = Duration::from_millis(20);

/// A guest not stopped within this is a failure (generous: two cores are
/// shared with other work).
const WATCHDOG: Duration = Duration::from_secs(30);

/// Fuel a store gets when the epoch is what must stop it: effectively
/// unlimited, and what was burnt shows the guest ran.
const PLENTY: u64 = u64::MAX / 2;

/// A store with `host.started` defined: it sends on `started` each time a
/// runaway guest begins.
pub fn runaway_store<'a>(engine: &'a Engine<'_>, started: mpsc::Sender<()>) -> Result<Store<'a>> {
    let mut store = engine.store()?;
    store.define_func(
        "host",
        "started",
        &[],
        &[],
        Box::new(move |_, _| i32::from(started.send(()).is_err())),
    )?;
    Ok(store)
}

/// Runs `scenario` on a thread of its own; if it has not finished within
/// [`WATCHDOG`], reports `name` as failed and ends the process, since a
/// guest that cannot be stopped cannot be joined either.
fn watched<T: Send>(
    mode: &str,
    name: &str,
    scenario: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    std::thread::scope(|scope| {
        let (done, finished) = mpsc::channel();
        scope.spawn(move || {
            let _ = done.send(scenario());
        });
        match finished.recv_timeout(WATCHDOG) {
            Ok(result) => result,
            Err(_) => {
                println!(
                    "FAIL {mode} {name}: the guest was still running after {} s: not interrupted",
                    WATCHDOG.as_secs()
                );
                println!("reliability interrupt: the remaining checks were not run");
                std::process::exit(1);
            }
        }
    })
}

/// How a waiting ticker thread advances the epoch once the guest started.
#[derive(Clone, Copy)]
enum Tick {
    /// A plain call of `engine_increment_epoch` from the ticker thread.
    Thread,
    /// `SIGUSR1` sent to the guest's own thread, whose handler increments
    /// the epoch: what a platform's timer interrupt does.
    Signal,
}

/// Calls `export` with a deadline of one tick; another thread bumps the
/// epoch [`RUN_BEFORE_TICK`] after the guest reports it started (so the
/// guest is running when it is bumped). Checks the trap; returns (fuel
/// recorded as burnt, latency from the bump to the return).
fn interrupt_once(
    engine: &Engine<'_>,
    store: &mut Store<'_>,
    instance: u32,
    export: &str,
    started: &Mutex<mpsc::Receiver<()>>,
    tick: Tick,
) -> Result<(u64, Duration)> {
    store.set_fuel(PLENTY)?;
    store.set_epoch_deadline(1)?;
    let guest_thread = crate::epoch_signal::current_thread();
    let (ticked_tx, ticked) = mpsc::channel();
    let result = std::thread::scope(|scope| {
        scope.spawn(move || {
            // Shorter than the watchdog: a call that fails before its guest
            // starts must end in its own error, not in the watchdog's.
            let started = started.lock().expect("not poisoned");
            if started.recv_timeout(WATCHDOG / 3).is_err() {
                return;
            }
            std::thread::sleep(RUN_BEFORE_TICK);
            let at = Instant::now();
            match tick {
                Tick::Thread => {
                    engine.increment_epoch();
                }
                Tick::Signal => crate::epoch_signal::interrupt(guest_thread),
            }
            let _ = ticked_tx.send(at);
        });
        let result = store.call(instance, export, &[], 0);
        // Before the scope joins the ticker thread, which may not have
        // been scheduled again yet.
        (result, Instant::now())
    });
    let (result, returned) = result;
    let Ok(at) = ticked.try_recv() else {
        bail!("{export} returned before the epoch was bumped: {result:?}");
    };
    expect_interrupt(result)?;
    // For the report only: generated code writes fuel back to the store at
    // calls and returns, so a bare loop shows little of what it burnt.
    // That the guest ran is shown by `host.started` having been called.
    let burnt = PLENTY - store.fuel()?;
    Ok((burnt, returned.duration_since(at)))
}

/// The error must be Wasmtime's `Interrupt` trap, saying so.
pub fn expect_interrupt<T: std::fmt::Debug>(result: Result<T, Failure>) -> Result<()> {
    match result {
        Err(f) if f.trap == Some(Trap::Interrupt) => {
            ensure!(
                f.message.starts_with("interrupted: epoch deadline reached"),
                "Interrupt trap with an unclear message: {}",
                f.message
            );
            Ok(())
        }
        Err(f) => bail!("expected an Interrupt trap, got {f}"),
        Ok(v) => bail!("expected an Interrupt trap, got success: {v:?}"),
    }
}

/// The store runs code again once re-armed: a bounded loop completes.
pub fn still_usable(store: &mut Store<'_>, instance: u32) -> Result<()> {
    store.set_fuel(10_000_000)?;
    store.set_epoch_deadline(1_000_000)?;
    let r = store.call(instance, "count", &[Value::I32(100_000)], 1)?;
    ensure!(
        r == [Value::I32(100_000)],
        "count(100000) after the trap returned {r:?}"
    );
    Ok(())
}

/// Interrupts `export` twice in one store (re-armed in between), then
/// runs it to a bounded result.
fn by_epoch(engine: &Engine<'_>, module: &Module<'_>, export: &str, tick: Tick) -> Result<String> {
    let (started_tx, started) = mpsc::channel();
    let started = Mutex::new(started);
    let mut store = runaway_store(engine, started_tx)?;
    let i = store.instantiate(module)?;
    let mut report = Vec::new();
    for _ in 0..2 {
        let (burnt, latency) = interrupt_once(engine, &mut store, i, export, &started, tick)?;
        report.push(format!(
            "stopped {} us after the bump ({burnt} fuel recorded)",
            latency.as_micros()
        ));
    }
    // A trap leaves the deadline reached: without re-arming, the next
    // call traps on entry.
    expect_interrupt(store.call(i, "count", &[Value::I32(1)], 1))?;
    still_usable(&mut store, i)?;
    Ok(report.join("; "))
}

/// Fuel alone stops `export` (no deadline), twice, then the store works.
fn by_fuel(engine: &Engine<'_>, module: &Module<'_>, export: &str) -> Result<String> {
    let (started_tx, _started) = mpsc::channel();
    let mut store = runaway_store(engine, started_tx)?;
    let i = store.instantiate(module)?;
    store.set_epoch_deadline(EMB_NO_DEADLINE)?;
    let fuel = 5_000_000;
    for _ in 0..2 {
        store.set_fuel(fuel)?;
        crate::embedding::expect_trap(store.call(i, export, &[], 0), Trap::OutOfFuel)?;
        ensure!(store.fuel()? == 0, "fuel left after OutOfFuel");
    }
    still_usable(&mut store, i)?;
    Ok(format!(
        "{fuel} fuel: OutOfFuel twice, then count(100000) ran"
    ))
}

/// Bad arguments: clear errors, no effect on a good store.
fn bad_input(emb: &Embedding, engine: &Engine<'_>, module: &Module<'_>) -> Result<String> {
    let api = engine.raw().1;
    // SAFETY: a null engine is what is being tested; it must be refused.
    ensure!(
        !unsafe { (api.engine_increment_epoch)(std::ptr::null()) },
        "engine_increment_epoch(NULL) claimed success"
    );
    // SAFETY: as above, a null store.
    let null = emb.check(unsafe { (api.store_set_epoch_deadline)(std::ptr::null_mut(), 1) });
    match null {
        Err(f) if f.kind == EmbErrorKind::Error && f.message.contains("store is NULL") => {}
        other => bail!("store_set_epoch_deadline(NULL): {other:?}"),
    }
    let (started_tx, _started) = mpsc::channel();
    let mut store = runaway_store(engine, started_tx)?;
    let i = store.instantiate(module)?;
    for ticks in [EMB_MAX_DEADLINE_TICKS + 1, EMB_NO_DEADLINE - 1] {
        match store.set_epoch_deadline(ticks) {
            Err(f) if f.kind == EmbErrorKind::Error && f.message.contains("beyond the largest") => {
            }
            other => bail!("store_set_epoch_deadline({ticks}): {other:?}"),
        }
    }
    store.set_fuel(1_000_000)?;
    // The refused deadlines changed nothing: a new store has none.
    ensure!(store.call(i, "count", &[Value::I32(10)], 1)? == [Value::I32(10)]);
    // 0 ticks: the next call traps on entry, and burns no fuel.
    store.set_epoch_deadline(0)?;
    let before = store.fuel()?;
    expect_interrupt(store.call(i, "count", &[Value::I32(10)], 1))?;
    ensure!(store.fuel()? == before, "a deadline of 0 let the guest run");
    store.set_epoch_deadline(EMB_NO_DEADLINE)?;
    ensure!(store.call(i, "count", &[Value::I32(10)], 1)? == [Value::I32(10)]);
    Ok(
        "NULL engine: false; NULL store and out-of-range ticks: errors; 0 ticks traps on entry"
            .into(),
    )
}

pub fn checks(
    emb: &Embedding,
    mode: &str,
    compiler: &Compiler,
    engine: &Engine<'_>,
) -> Result<Vec<(String, Result<String>)>> {
    let module = engine.load(&compiler.precompile(RUNAWAY.as_bytes())?)?;
    crate::epoch_signal::install(engine)?;
    let mut out = Vec::new();
    for export in GUESTS {
        let name = format!("interrupt/epoch-{export}");
        let result = watched(mode, &name, || {
            by_epoch(engine, &module, export, Tick::Thread)
        });
        out.push((name, result));
    }
    let name = "interrupt/epoch-signal".to_string();
    let result = watched(mode, &name, || {
        by_epoch(engine, &module, "spin", Tick::Signal)
    });
    out.push((name, result));
    for export in GUESTS {
        let name = format!("interrupt/fuel-{export}");
        let result = watched(mode, &name, || by_fuel(engine, &module, export));
        out.push((name, result));
    }
    out.push((
        "interrupt/bad-input".into(),
        bad_input(emb, engine, &module),
    ));
    crate::epoch_signal::uninstall();
    Ok(out)
}

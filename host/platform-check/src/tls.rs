//! `wasmtime_tls_get` / `wasmtime_tls_set`: two pointers per thread, NULL
//! until set.

use super::hooks::Libs;
use super::{Feature, Pass, Rule};
use anyhow::{Result, ensure};

pub const RULES: &[Rule] = &[
    Rule {
        id: "tls-start-null",
        hook: "wasmtime_tls_get",
        text: "slots 0 and 1 start NULL",
        needs: &[Feature::Tls],
        probe: start_null,
    },
    Rule {
        id: "tls-round-trip",
        hook: "wasmtime_tls_set",
        text: "set then get round-trips, each slot independently",
        needs: &[Feature::Tls],
        probe: round_trip,
    },
    Rule {
        id: "tls-per-thread",
        hook: "wasmtime_tls_get",
        text: "values are per thread (a new thread sees NULL and keeps its own)",
        needs: &[Feature::Tls],
        probe: per_thread,
    },
];

type Get = unsafe extern "C" fn(usize) -> *mut u8;
type Set = unsafe extern "C" fn(usize, *mut u8);

/// Fake pointers: the hooks store them without dereferencing.
fn marker(n: usize) -> *mut u8 {
    std::ptr::without_provenance_mut(0x1000 * n + 8)
}

struct Tls {
    get: Get,
    set: Set,
}

impl Tls {
    fn load(libs: &Libs) -> Result<Tls> {
        Ok(Tls {
            get: libs.sym("wasmtime_tls_get")?,
            set: libs.sym("wasmtime_tls_set")?,
        })
    }

    fn get(&self, slot: usize) -> usize {
        // SAFETY: slots 0 and 1 are the contract's.
        unsafe { (self.get)(slot) as usize }
    }

    fn set(&self, slot: usize, value: *mut u8) {
        // SAFETY: as for `get`.
        unsafe { (self.set)(slot, value) }
    }

    fn expect(&self, who: &str, values: [*mut u8; 2]) -> Result<()> {
        let seen = [self.get(0), self.get(1)];
        let want = values.map(|v| v as usize);
        ensure!(
            seen == want,
            "{who} reads slots 0 and 1 as {:#x} and {:#x}, expected {:#x} and {:#x}",
            seen[0],
            seen[1],
            want[0],
            want[1]
        );
        Ok(())
    }
}

fn start_null(libs: &Libs) -> Result<Pass> {
    let tls = Tls::load(libs)?;
    tls.expect("a fresh process", [std::ptr::null_mut(); 2])?;
    Ok(None)
}

fn round_trip(libs: &Libs) -> Result<Pass> {
    let tls = Tls::load(libs)?;
    tls.set(0, marker(1));
    tls.expect(
        "after setting slot 0 only, the thread",
        [marker(1), std::ptr::null_mut()],
    )?;
    tls.set(1, marker(2));
    tls.expect(
        "after setting both slots, the thread",
        [marker(1), marker(2)],
    )?;
    tls.set(0, std::ptr::null_mut());
    tls.expect(
        "after clearing slot 0, the thread",
        [std::ptr::null_mut(), marker(2)],
    )?;
    Ok(None)
}

fn per_thread(libs: &Libs) -> Result<Pass> {
    let tls = Tls::load(libs)?;
    tls.set(0, marker(1));
    tls.set(1, marker(2));
    let (get, set) = (tls.get, tls.set);
    std::thread::spawn(move || {
        let tls = Tls { get, set };
        tls.expect("a second thread", [std::ptr::null_mut(); 2])?;
        tls.set(0, marker(3));
        tls.set(1, marker(4));
        tls.expect(
            "the second thread after its own sets",
            [marker(3), marker(4)],
        )
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the second thread panicked"))??;
    tls.expect(
        "the first thread after the second one's sets",
        [marker(1), marker(2)],
    )?;
    Ok(None)
}

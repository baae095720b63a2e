//! wasi:clocks over the platform's monotonic and wall clocks.

use super::bindings::wasi::clocks::{monotonic_clock, wall_clock};
use super::ctx::Ctx;
use super::executor::{Deadline, Timers};
use crate::wasi::state::clock;
use alloc::boxed::Box;
use alloc::sync::Arc;
use wasmtime::component::Resource;
use wasmtime_wasi_io::poll::{DynPollable, Pollable, subscribe};

/// The pollable of `subscribe-instant` and `subscribe-duration`.
struct Sleep {
    due: u64,
    timers: Arc<Timers>,
}

#[wasmtime_wasi_io::async_trait]
impl Pollable for Sleep {
    async fn ready(&mut self) {
        Deadline {
            due: self.due,
            timers: self.timers.clone(),
        }
        .await
    }
}

fn now() -> u64 {
    clock::monotonic_now()
}

impl Ctx {
    fn sleep_until(&mut self, due: u64) -> wasmtime::Result<Resource<DynPollable>> {
        let sleep = self.table.push(Sleep {
            due,
            timers: self.timers.clone(),
        })?;
        subscribe(&mut self.table, sleep)
    }
}

impl monotonic_clock::Host for Ctx {
    fn now(&mut self) -> wasmtime::Result<u64> {
        Ok(now())
    }
    fn resolution(&mut self) -> wasmtime::Result<u64> {
        Ok(clock::resolution())
    }
    fn subscribe_instant(&mut self, when: u64) -> wasmtime::Result<Resource<DynPollable>> {
        self.sleep_until(when)
    }
    fn subscribe_duration(&mut self, duration: u64) -> wasmtime::Result<Resource<DynPollable>> {
        self.sleep_until(now().saturating_add(duration))
    }
}

impl wall_clock::Host for Ctx {
    fn now(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        let (seconds, nanoseconds) = clock::wall_now();
        Ok(wall_clock::Datetime {
            seconds,
            nanoseconds,
        })
    }
    fn resolution(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        // The wall clock is read through the same kind of source as the
        // monotonic one; the platform reports no separate resolution.
        let ns = clock::resolution();
        Ok(wall_clock::Datetime {
            seconds: ns / 1_000_000_000,
            nanoseconds: (ns % 1_000_000_000) as u32,
        })
    }
}

//! `poll_oneoff`: clocks and descriptors. Without other programs to run
//! (there are no fibers here), waiting means sleeping on the platform's
//! clock. Descriptors are always ready: the console's read waits inside
//! `fd_read` (as the WASI 0.2 face's standard input does), and files live
//! in memory. So with any descriptor subscribed the call returns at once
//! with those events; with clocks alone it sleeps until the earliest
//! deadline.

use super::clock::{MONOTONIC, REALTIME, wall_ns};
use super::ctx::P1;
use super::errno::{BADF, INVAL, P1Result, err};
use super::fds::Desc;
use super::memory::Mem;
use crate::wasi::state::{clock, fs::ops};
use alloc::vec::Vec;

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;
const EVENTRWFLAGS_HANGUP: u16 = 1;

/// What one subscription waits for.
enum Wait {
    /// A monotonic deadline.
    Clock(u64),
    /// A descriptor, ready now: event type, and hang-up (end of file).
    Fd(u8, bool),
}

fn subscription(ctx: &P1, sub: &[u8; 48]) -> P1Result<Wait> {
    let u32_at = |at: usize| u32::from_le_bytes(sub[at..at + 4].try_into().expect("4"));
    let u64_at = |at: usize| u64::from_le_bytes(sub[at..at + 8].try_into().expect("8"));
    match sub[8] {
        0 => {
            let (id, timeout) = (u32_at(16) as i32, u64_at(24));
            let flags = u16::from_le_bytes([sub[40], sub[41]]);
            if flags & !SUBCLOCKFLAGS_ABSTIME != 0 {
                return err(INVAL);
            }
            let absolute = flags & SUBCLOCKFLAGS_ABSTIME != 0;
            let now = clock::monotonic_now();
            let due = match (id, absolute) {
                (MONOTONIC, true) => timeout,
                (MONOTONIC | REALTIME, false) => now.saturating_add(timeout),
                // An absolute wall-clock time becomes a duration from now.
                (REALTIME, true) => now.saturating_add(timeout.saturating_sub(wall_ns()?)),
                _ => return err(INVAL),
            };
            Ok(Wait::Clock(due))
        }
        tag @ (1 | 2) => {
            let fd = u32_at(16) as i32;
            let read = tag == 1;
            match ctx.fds.get(fd)? {
                Desc::Stdin if read => Ok(Wait::Fd(EVENTTYPE_FD_READ, false)),
                Desc::Stdout | Desc::Stderr if !read => Ok(Wait::Fd(EVENTTYPE_FD_WRITE, false)),
                Desc::File(f) if read => {
                    let at_end = ops::size(&f.file) <= f.pos;
                    Ok(Wait::Fd(EVENTTYPE_FD_READ, at_end))
                }
                Desc::File(_) => Ok(Wait::Fd(EVENTTYPE_FD_WRITE, false)),
                _ => err(BADF),
            }
        }
        _ => err(INVAL),
    }
}

fn event(userdata: u64, kind: u8, nbytes: u64, flags: u16) -> [u8; 32] {
    let mut e = [0u8; 32];
    e[0..8].copy_from_slice(&userdata.to_le_bytes());
    e[10] = kind;
    e[16..24].copy_from_slice(&nbytes.to_le_bytes());
    e[24..26].copy_from_slice(&flags.to_le_bytes());
    e
}

pub fn poll_oneoff(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    subs: i32,
    events: i32,
    n: i32,
    out: i32,
) -> P1Result<()> {
    let n = n as u32;
    if n == 0 {
        // Stock refuses to sleep forever.
        return err(INVAL);
    }
    let mut waits = Vec::new();
    for i in 0..n {
        let sub = mem.read_struct::<48>((subs as u32).wrapping_add(i * 48), 8)?;
        let userdata = u64::from_le_bytes(sub[0..8].try_into().expect("8"));
        waits.push((
            userdata,
            subscription(ctx, &sub)?,
            sub[8] == 0 && sub[40] & 1 == 0,
        ));
    }
    let any_fd = waits.iter().any(|(_, w, _)| matches!(w, Wait::Fd(..)));
    if !any_fd {
        let earliest = waits
            .iter()
            .filter_map(|(_, w, _)| match w {
                Wait::Clock(due) => Some(*due),
                Wait::Fd(..) => None,
            })
            .min()
            .expect("n > 0 clocks");
        clock::sleep_until(earliest);
    }
    let now = clock::monotonic_now();
    // One relative clock alone is a plain sleep, which stock reports with
    // `nbytes` 1 rather than 0.
    let lone_sleep = n == 1 && waits[0].2;
    let mut count = 0u32;
    for (userdata, wait, _) in &waits {
        let e = match *wait {
            Wait::Clock(due) if due <= now => {
                event(*userdata, EVENTTYPE_CLOCK, u64::from(lone_sleep), 0)
            }
            Wait::Clock(_) => continue,
            Wait::Fd(kind, hangup) => event(
                *userdata,
                kind,
                1,
                if hangup { EVENTRWFLAGS_HANGUP } else { 0 },
            ),
        };
        mem.write_struct((events as u32).wrapping_add(count * 32), 8, &e)?;
        count += 1;
    }
    mem.put_u32(out as u32, count)
}

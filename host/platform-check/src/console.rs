//! `embedding_os_console_write` and `embedding_os_console_read`
//! (embedding-os.h). The probe child points its own fds 0, 1 and 2 at pipes
//! for the duration of a call (nothing else prints meanwhile), feeds or
//! drains them on a thread, and interrupts the calling thread with signals
//! so that partial transfers and EINTR actually happen.

use super::hooks::Libs;
use super::interrupt::Interrupter;
use super::{Feature, Pass, Rule, step};
use anyhow::{Context, Result, bail, ensure};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::time::Duration;

const OS: &[Feature] = &[Feature::OsServices];

pub const RULES: &[Rule] = &[
    Rule {
        id: "console-write-all",
        hook: "embedding_os_console_write",
        text: "a 4 MiB write arrives complete and in order (slow reader, signals)",
        needs: OS,
        probe: write_all,
    },
    Rule {
        id: "console-streams",
        hook: "embedding_os_console_write",
        text: "stream 1 goes to standard output, stream 2 to standard error",
        needs: OS,
        probe: streams,
    },
    Rule {
        id: "console-closed",
        hook: "embedding_os_console_write",
        text: "a stream whose reader has gone gives -1, not a SIGPIPE death",
        needs: OS,
        probe: closed,
    },
    Rule {
        id: "console-other-streams",
        hook: "embedding_os_console_write",
        text: "streams other than 1 and 2 (0, 3, 4, 2^31+1, 2^32-1) give -1 and write nothing",
        needs: OS,
        probe: other_streams,
    },
    Rule {
        id: "console-read",
        hook: "embedding_os_console_read",
        text: "returns what standard input is fed, then 0 at its end (late input, signals)",
        needs: OS,
        probe: read,
    },
];

type Write_ = unsafe extern "C" fn(u32, *const u8, usize) -> i32;
type Read_ = unsafe extern "C" fn(*mut u8, usize) -> isize;

/// A pipe: (read end, write end).
fn pipe() -> Result<(RawFd, RawFd)> {
    let mut fds = [0; 2];
    // SAFETY: a valid array of two fds.
    ensure!(
        unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == 0,
        "cannot create a pipe"
    );
    Ok((fds[0], fds[1]))
}

fn close(fd: RawFd) {
    // SAFETY: callers pass fds they own and no longer use.
    unsafe { libc::close(fd) };
}

/// Points `fd` at what `to` refers to (and closes `to`) until dropped.
struct Redirect {
    fd: RawFd,
    saved: RawFd,
}

impl Redirect {
    fn new(fd: RawFd, to: RawFd) -> Result<Redirect> {
        // SAFETY: plain fd operations on fds this process owns.
        let saved = unsafe { libc::dup(fd) };
        ensure!(saved >= 0, "cannot save fd {fd}");
        // SAFETY: as above.
        ensure!(
            unsafe { libc::dup2(to, fd) } == fd,
            "cannot redirect fd {fd}"
        );
        close(to);
        Ok(Redirect { fd, saved })
    }
}

impl Drop for Redirect {
    fn drop(&mut self) {
        // SAFETY: restores the saved fd; a pipe end held only by `fd` closes.
        unsafe { libc::dup2(self.saved, self.fd) };
        close(self.saved);
    }
}

/// Reads a pipe to its end on a thread, after `delay`.
fn drain(fd: RawFd, delay: Duration) -> std::thread::JoinHandle<Vec<u8>> {
    // SAFETY: the thread takes ownership of the read end.
    let mut file = unsafe { File::from_raw_fd(fd) };
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        let mut got = Vec::new();
        let _ = file.read_to_end(&mut got);
        got
    })
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn write_all(libs: &Libs) -> Result<Pass> {
    let write: Write_ = libs.sym("embedding_os_console_write")?;
    let data = pattern(4 << 20);
    let (r, w) = pipe()?;
    // The reader starts late, so the writer meets a full pipe, and the
    // signals then interrupt it mid-write.
    let reader = drain(r, Duration::from_millis(50));
    step("writing 4 MiB to stream 1 (fd 1 redirected to a pipe) while signals interrupt");
    let (code, sent) = {
        let _stdout = Redirect::new(1, w)?;
        let storm = Interrupter::start()?;
        // SAFETY: a valid buffer of that length.
        let code = unsafe { write(1, data.as_ptr(), data.len()) };
        (code, storm.finish())
    }; // fd 1 restored: the pipe's write end is closed, the reader sees its end
    let got = reader
        .join()
        .map_err(|_| anyhow::anyhow!("reader panicked"))?;
    ensure!(
        code == 0,
        "it returned {code} after {} of {} bytes arrived ({sent} signals were sent \
         meanwhile: retry on EINTR)",
        got.len(),
        data.len()
    );
    ensure!(
        got.len() == data.len(),
        "it returned 0, but {} of {} bytes arrived: a write may take fewer bytes than \
         asked, so loop until all are written",
        got.len(),
        data.len()
    );
    ensure!(
        got == data,
        "the bytes arrived changed from byte {}",
        first_difference(&got, &data)
    );
    Ok(None)
}

fn streams(libs: &Libs) -> Result<Pass> {
    let write: Write_ = libs.sym("embedding_os_console_write")?;
    let (out_r, out_w) = pipe()?;
    let (err_r, err_w) = pipe()?;
    let (out, err) = (drain(out_r, Duration::ZERO), drain(err_r, Duration::ZERO));
    step("writing to streams 1 and 2 (fds 1 and 2 redirected to two pipes)");
    let codes = {
        let _stdout = Redirect::new(1, out_w)?;
        let _stderr = Redirect::new(2, err_w)?;
        // SAFETY: valid buffers of those lengths.
        unsafe {
            [
                write(1, b"to stdout\n".as_ptr(), 10),
                write(2, b"to stderr\n".as_ptr(), 10),
            ]
        }
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    ensure!(codes == [0, 0], "the writes returned {codes:?}");
    let show = |b: &[u8]| format!("{:?}", String::from_utf8_lossy(b));
    ensure!(
        out == b"to stdout\n" && err == b"to stderr\n",
        "standard output got {} and standard error {}",
        show(&out),
        show(&err)
    );
    Ok(None)
}

fn closed(libs: &Libs) -> Result<Pass> {
    let write: Write_ = libs.sym("embedding_os_console_write")?;
    // Rust programs ignore SIGPIPE; a kernel or a C host may not, so the
    // platform must not rely on it: the default action (death) it is.
    // SAFETY: this probe child's own signal disposition.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let (r, w) = pipe()?;
    close(r);
    step("writing to stream 1, a pipe whose reader has closed (SIGPIPE at its default)");
    let codes = {
        let _stdout = Redirect::new(1, w)?;
        // SAFETY: valid buffers of that length.
        unsafe { [write(1, b"gone".as_ptr(), 4), write(1, b"gone".as_ptr(), 4)] }
    };
    ensure!(codes == [-1, -1], "two writes returned {codes:?}, not -1");
    // SAFETY: reads this thread's mask and pending set.
    let (blocked, pending) = unsafe {
        let mut mask: libc::sigset_t = std::mem::zeroed();
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut mask);
        libc::sigpending(&mut set);
        (
            libc::sigismember(&mask, libc::SIGPIPE) == 1,
            libc::sigismember(&set, libc::SIGPIPE) == 1,
        )
    };
    ensure!(!blocked, "SIGPIPE is left blocked on the calling thread");
    ensure!(
        !pending,
        "a SIGPIPE is left pending: it kills the program when unblocked"
    );
    Ok(None)
}

fn read(libs: &Libs) -> Result<Pass> {
    let read: Read_ = libs.sym("embedding_os_console_read")?;
    let data = pattern(256 << 10);
    let (r, w) = pipe()?;
    let _stdin = Redirect::new(0, r)?;
    // SAFETY: the writer takes ownership of the write end; dropping it is
    // the end of input.
    let mut input = unsafe { File::from_raw_fd(w) };
    let fed = data.clone();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        input.write_all(&fed).context("cannot feed standard input")
    });
    step("reading standard input (fd 0 redirected to a pipe) while signals interrupt");
    let storm = Interrupter::start()?;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 4096];
    let outcome = loop {
        // SAFETY: a valid buffer of that length.
        let n = unsafe { read(buf.as_mut_ptr(), buf.len()) };
        if n <= 0 || got.len() > data.len() {
            break n;
        }
        let n = n as usize;
        if n > buf.len() {
            break isize::MAX;
        }
        got.extend_from_slice(&buf[..n]);
    };
    let sent = storm.finish();
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writer panicked"))??;
    match outcome {
        0 if got.len() < data.len() => bail!(
            "it returned 0 (end of input) after {} of {} bytes",
            got.len(),
            data.len()
        ),
        0 => {}
        isize::MAX => bail!("it returned more than the {} bytes asked", buf.len()),
        n if got.len() == data.len() => bail!(
            "it returned {n} after all {} bytes: the end of input is 0, not an error",
            data.len()
        ),
        n => bail!(
            "it returned {n} after {} of {} bytes ({sent} signals were sent meanwhile: \
             retry on EINTR)",
            got.len(),
            data.len()
        ),
    }
    ensure!(
        got == data,
        "the bytes read differ from those fed from byte {}",
        first_difference(&got, &data)
    );
    Ok(None)
}

/// Points `fd` at `to` (and closes `to`) until dropped, whether or not `fd`
/// was open before; unlike [`Redirect`], it closes `fd` again if it was not.
struct Occupy {
    fd: RawFd,
    saved: Option<RawFd>,
}

impl Occupy {
    fn new(fd: RawFd, to: RawFd) -> Result<Occupy> {
        // SAFETY: plain fd operations on fds this process owns.
        let open = unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0;
        let saved = match open {
            // SAFETY: as above.
            true => Some(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) }),
            false => None,
        };
        ensure!(saved.is_none_or(|s| s >= 0), "cannot save fd {fd}");
        // SAFETY: as above.
        ensure!(
            unsafe { libc::dup2(to, fd) } == fd,
            "cannot point fd {fd} at a pipe"
        );
        close(to);
        Ok(Occupy { fd, saved })
    }
}

impl Drop for Occupy {
    fn drop(&mut self) {
        match self.saved {
            Some(saved) => {
                // SAFETY: restores the saved fd, as Redirect does.
                unsafe { libc::dup2(saved, self.fd) };
                close(saved);
            }
            None => close(self.fd),
        }
    }
}

/// A pipe whose ends are above fd 16, clear of the fds [`Occupy`] takes
/// over (a plain pipe may well get fds 3 and 4 themselves).
fn high_pipe() -> Result<(RawFd, RawFd)> {
    let (r, w) = pipe()?;
    let lift = |fd: RawFd| {
        // SAFETY: dups an fd this process owns, then closes the original.
        let high = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 16) };
        close(fd);
        high
    };
    let (r, w) = (lift(r), lift(w));
    ensure!(r >= 0 && w >= 0, "cannot move a pipe above fd 16");
    Ok((r, w))
}

fn other_streams(libs: &Libs) -> Result<Pass> {
    let write: Write_ = libs.sym("embedding_os_console_write")?;
    // A platform that passes `stream` to write(2) as the fd would "succeed"
    // on any open fd: so fds 0, 3 and 4 are pipes here, and what reaches
    // them is reported too. 2^31+1 is negative as a C int; 2^32-1 is -1.
    let streams: [u32; 5] = [0, 3, 4, (1 << 31) + 1, u32::MAX];
    let mut pipes = Vec::new();
    let mut occupied = Vec::new();
    for fd in [0, 3, 4] {
        let (r, w) = high_pipe()?;
        occupied.push(Occupy::new(fd, w)?);
        pipes.push((fd, drain(r, Duration::ZERO)));
    }
    step("writing to streams 0, 3, 4, 2^31+1 and 2^32-1 (fds 0, 3, 4 pointed at pipes)");
    let codes: Vec<(u32, i32)> = streams
        .iter()
        // SAFETY: a valid buffer of that length.
        .map(|&s| (s, unsafe { write(s, b"stray\n".as_ptr(), 6) }))
        .collect();
    drop(occupied);
    let mut arrived = Vec::new();
    for (fd, reader) in pipes {
        let got = reader.join().unwrap_or_default();
        if !got.is_empty() {
            arrived.push(format!("{} bytes reached fd {fd}", got.len()));
        }
    }
    let accepted: Vec<String> = codes
        .iter()
        .filter(|(_, code)| *code != -1)
        .map(|(s, code)| format!("stream {s} returned {code}"))
        .collect();
    ensure!(
        accepted.is_empty() && arrived.is_empty(),
        "{}: only 1 and 2 are streams, anything else is -1",
        [accepted, arrived].concat().join(", ")
    );
    Ok(None)
}

//! Preview 1's `errno` values (witx `$errno`) that this face returns, and
//! how a call fails: an errno for the guest, or a trap.

use super::super::state::fs::FsError;

pub const BADF: u16 = 8;
pub const BUSY: u16 = 10;
pub const EXIST: u16 = 20;
pub const FBIG: u16 = 22;
pub const ILSEQ: u16 = 25;
pub const INVAL: u16 = 28;
pub const IO: u16 = 29;
pub const ISDIR: u16 = 31;
pub const LOOP: u16 = 32;
pub const NAMETOOLONG: u16 = 37;
pub const NOENT: u16 = 44;
pub const NOMEM: u16 = 48;
pub const NOTDIR: u16 = 54;
pub const NOTEMPTY: u16 = 55;
pub const NOTSOCK: u16 = 57;
pub const NOTSUP: u16 = 58;
pub const OVERFLOW: u16 = 61;
pub const PERM: u16 = 63;
pub const SPIPE: u16 = 70;

/// How a preview 1 call fails.
pub enum Error {
    /// Returned to the guest.
    Errno(u16),
    /// Ends the program: a misused pointer (as stock Wasmtime, following
    /// the witx rules: out of bounds or misaligned traps), `proc_exit`, or
    /// a broken OS service.
    Trap(wasmtime::Error),
}

pub type P1Result<T> = Result<T, Error>;

pub fn err<T>(errno: u16) -> P1Result<T> {
    Err(Error::Errno(errno))
}

impl From<FsError> for Error {
    fn from(e: FsError) -> Error {
        Error::Errno(match e {
            FsError::Busy => BUSY,
            FsError::Exist => EXIST,
            FsError::FileTooLarge => FBIG,
            FsError::Invalid => INVAL,
            FsError::IsDirectory => ISDIR,
            FsError::Loop => LOOP,
            FsError::NoEntry => NOENT,
            FsError::NoMemory => NOMEM,
            FsError::NotDirectory => NOTDIR,
            FsError::NotEmpty => NOTEMPTY,
            FsError::NotPermitted => PERM,
        })
    }
}

impl From<wasmtime::Error> for Error {
    fn from(e: wasmtime::Error) -> Error {
        Error::Trap(e)
    }
}

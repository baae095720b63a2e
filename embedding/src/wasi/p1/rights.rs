//! Preview 1 rights (witx `$rights`). Stock Wasmtime enforces none of them
//! (WASI 0.2 has no rights); it reports these sets in `fd_fdstat_get`,
//! which many libcs read.

pub const FD_READ: u64 = 1 << 1;
pub const FD_SEEK: u64 = 1 << 2;
pub const FD_WRITE: u64 = 1 << 6;
pub const FD_READDIR: u64 = 1 << 14;
pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
pub const ALL: u64 = (1 << 30) - 1;

/// What a directory opened by `path_open` never has.
pub const DIR_NEVER: u64 = FD_SEEK | FD_FILESTAT_SET_SIZE | PATH_FILESTAT_SET_SIZE;

/// A preopened directory's rights: the set stock hard-codes.
pub const PREOPEN_BASE: u64 = (1 << 9)  // path_create_directory
    | (1 << 10) // path_create_file
    | (1 << 11) // path_link_source
    | (1 << 12) // path_link_target
    | (1 << 13) // path_open
    | FD_READDIR
    | (1 << 15) // path_readlink
    | (1 << 16) // path_rename_source
    | (1 << 17) // path_rename_target
    | (1 << 24) // path_symlink
    | (1 << 25) // path_remove_directory
    | (1 << 26) // path_unlink_file
    | (1 << 18) // path_filestat_get
    | (1 << 20) // path_filestat_set_times
    | (1 << 21) // fd_filestat_get
    | (1 << 23); // fd_filestat_set_times

pub const PREOPEN_INHERITING: u64 = PREOPEN_BASE
    | 1 // fd_datasync
    | FD_READ
    | FD_SEEK
    | (1 << 3) // fd_fdstat_set_flags
    | (1 << 4) // fd_sync
    | (1 << 5) // fd_tell
    | FD_WRITE
    | (1 << 7) // fd_advise
    | (1 << 8) // fd_allocate
    | FD_FILESTAT_SET_SIZE
    | (1 << 27); // poll_fd_readwrite

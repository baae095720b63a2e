//! CPU feature detection without `std`, for `Config::detect_host_feature`.
//!
//! Wasmtime asks about every Cranelift flag an artifact was compiled with
//! (using `std_detect`'s names, e.g. `"sse4.1"`) and refuses to run the
//! artifact unless the answer is `Some(true)`.

#[cfg(target_arch = "x86_64")]
pub fn detect_cpu_feature(name: &str) -> Option<bool> {
    use core::arch::x86_64::{__cpuid, __cpuid_count};

    // CPUID is part of the x86_64 baseline, so these reads cannot fault.
    #[allow(unused_unsafe)]
    let (leaf1, leaf7, ext1) = unsafe {
        let max_ext = __cpuid(0x8000_0000).eax;
        let ext1 = if max_ext >= 0x8000_0001 {
            __cpuid(0x8000_0001).ecx
        } else {
            0
        };
        let leaf7 = if __cpuid(0).eax >= 7 {
            __cpuid_count(7, 0).ebx
        } else {
            0
        };
        (__cpuid(1).ecx, leaf7, ext1)
    };
    let bit = |reg: u32, n: u32| reg & (1 << n) != 0;
    Some(match name {
        "sse3" => bit(leaf1, 0),
        "ssse3" => bit(leaf1, 9),
        "sse4.1" => bit(leaf1, 19),
        "sse4.2" => bit(leaf1, 20),
        "popcnt" => bit(leaf1, 23),
        // FMA is VEX-encoded: it also needs the OS to have enabled the AVX
        // register state, or the instruction faults as undefined.
        "fma" => bit(leaf1, 12) && avx_state_enabled(leaf1),
        "avx" => bit(leaf1, 28) && avx_state_enabled(leaf1),
        "avx2" => bit(leaf7, 5) && avx_state_enabled(leaf1),
        "bmi1" => bit(leaf7, 3),
        "bmi2" => bit(leaf7, 8),
        "lzcnt" => bit(ext1, 5),
        _ => return None,
    })
}

/// Whether the OS saves the XMM and YMM registers across context switches
/// (OSXSAVE set, and XCR0 bits 1 and 2). A kernel porting this embedding must
/// set XCR0 itself before running native code that uses FMA.
#[cfg(target_arch = "x86_64")]
fn avx_state_enabled(leaf1_ecx: u32) -> bool {
    if leaf1_ecx & (1 << 27) == 0 {
        return false;
    }
    let (lo, _hi): (u32, u32);
    // SAFETY: XGETBV is available because OSXSAVE is set (checked above).
    unsafe {
        core::arch::asm!("xgetbv", in("ecx") 0, out("eax") lo, out("edx") _hi,
            options(nomem, nostack, preserves_flags));
    }
    lo & 0b110 == 0b110
}

#[cfg(not(target_arch = "x86_64"))]
pub fn detect_cpu_feature(_name: &str) -> Option<bool> {
    None
}

/// CPU features of the `rv64gc` baseline, which the
/// `riscv64gc-unknown-none-elf` target requires of every CPU it runs on:
/// the base integer ISA with M, A, F, D and C, plus Zicsr and Zifencei.
/// Everything else is unknown (`None`), so Wasmtime would refuse code that
/// needs it. Names as `std_detect` spells them.
pub fn detect_rv64gc_feature(name: &str) -> Option<bool> {
    match name {
        "m" | "a" | "f" | "d" | "c" | "zca" | "zcd" | "zicsr" | "zifencei" => Some(true),
        _ => None,
    }
}

/// CPU features of the ARMv8.0-A baseline with FP and Advanced SIMD, which
/// the `aarch64-unknown-none` target requires of every CPU it runs on.
/// Later extensions (`lse`, `paca`, `fp16`, `dotprod`, `i8mm`, the names
/// Wasmtime asks about) are unknown (`None`): a core may or may not have
/// them, so Wasmtime refuses code that needs one. Names as `std_detect`
/// spells them.
pub fn detect_armv8a_feature(name: &str) -> Option<bool> {
    match name {
        "fp" | "neon" | "asimd" => Some(true),
        _ => None,
    }
}

//! A conforming `f32` → `f64` conversion for the soft-float target.
//!
//! On `x86_64-unknown-none` floats are emulated, and `f32 as f64` becomes a
//! call to the compiler-builtins routine `__extendsfdf2`. That routine keeps a
//! signaling NaN signaling (quiet bit clear), where hardware (`cvtss2sd`)
//! quiets it. Rust leaves NaN bits unspecified, so both are valid Rust, but
//! WebAssembly's `f64.promote_f32` must produce a quiet ("arithmetic") NaN,
//! and Pulley implements it with `as f64`. The spec testsuite caught the
//! difference (`conversions.wast`, `simd_conversions.wast`, minimal mode
//! only). Defining the routine here replaces the library's weak definition
//! for the whole embedding.

/// IEEE-754 widening of an `f32` bit pattern, quieting NaNs.
const fn widen(a: u32) -> u64 {
    let sign = ((a & 0x8000_0000) as u64) << 32;
    let exponent = (a >> 23) & 0xff;
    let fraction = (a & 0x007f_ffff) as u64;
    match exponent {
        // Infinity, or a NaN with its payload kept and the quiet bit set.
        0xff if fraction == 0 => sign | 0x7ff0_0000_0000_0000,
        0xff => sign | 0x7ff8_0000_0000_0000 | (fraction << 29),
        // Zero.
        0 if fraction == 0 => sign,
        // Subnormal f32: normal in f64. Its value is fraction * 2^-149;
        // with the top set bit at position `top`, that is
        // 1.xxx * 2^(top - 149).
        0 => {
            let top = 63 - fraction.leading_zeros() as u64;
            let biased = top + 1023 - 149;
            let mantissa = (fraction << (52 - top)) & 0x000f_ffff_ffff_ffff;
            sign | (biased << 52) | mantissa
        }
        // Normal: rebias the exponent, widen the fraction.
        _ => sign | (((exponent as u64) + 1023 - 127) << 52) | (fraction << 29),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn __extendsfdf2(a: f32) -> f64 {
    f64::from_bits(widen(a.to_bits()))
}

// The conversion is checked here, at compile time, since the crate has no
// host-side unit tests (it cannot be built for the host).
const _: () = {
    assert!(widen(0x3f80_0000) == 0x3ff0_0000_0000_0000); // 1.0
    assert!(widen(0xc0490fdb) == 0xc009_21fb_6000_0000); // -3.1415927
    assert!(widen(0x8000_0000) == 0x8000_0000_0000_0000); // -0.0
    assert!(widen(0x7f80_0000) == 0x7ff0_0000_0000_0000); // +inf
    assert!(widen(0x0000_0001) == 0x36a0_0000_0000_0000); // smallest subnormal, 2^-149
    assert!(widen(0x007f_ffff) == 0x380f_ffff_c000_0000); // largest subnormal
    assert!(widen(0x7fa0_0000) == 0x7ffc_0000_0000_0000); // signaling NaN, quieted
    assert!(widen(0xffc0_0001) == 0xfff8_0000_2000_0000); // quiet NaN, payload kept
};

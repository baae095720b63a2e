//! The Wasmtime configuration of each mode.
//!
//! The host precompiles with exactly this `Config` (plus a compiler) and the
//! embedding loads with it, so the two cannot disagree: Wasmtime refuses an
//! artifact whose target, Cranelift flags or tunables differ from the loading
//! engine's. Because every mode names its target explicitly, Wasmtime applies
//! none of its "no OS here" defaults, so each function below sets every
//! memory and trap tunable itself.

use crate::api::EmbMode;
use wasmtime::{Config, Result, WasmFeatures};

/// The machine the native modes (`vm`, `full`) generate code for. `minimal`
/// runs Pulley bytecode, which is the same for every architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// `x86_64-unknown-none`: the Linux host's embedding (`build.sh`).
    X86_64,
    /// `aarch64-unknown-none`: Linux on arm64 boards and the bare-metal
    /// port (`ports/qemu-virt`).
    Aarch64,
    /// `riscv64gc-unknown-none-elf`: the bare-metal port
    /// (`ports/qemu-virt`).
    Riscv64,
    /// `riscv32imac-unknown-none-elf`: microcontrollers (`ports/mcu`).
    /// Pulley only (`minimal`, `small`): Cranelift has no 32-bit backend.
    Riscv32,
    /// `thumbv7em-none-eabihf`: Cortex-M4F and M7 microcontrollers
    /// (`ports/mcu`). Pulley only, as [`Arch::Riscv32`].
    Thumbv7em,
}

impl Arch {
    /// The architecture this crate is being compiled for. The embedding
    /// loads with this; the host precompiles for it unless told otherwise
    /// (`host port-samples --arch`).
    pub const NATIVE: Arch = if cfg!(target_arch = "riscv64") {
        Arch::Riscv64
    } else if cfg!(target_arch = "riscv32") {
        Arch::Riscv32
    } else if cfg!(target_arch = "arm") {
        Arch::Thumbv7em
    } else if cfg!(target_arch = "aarch64") {
        Arch::Aarch64
    } else {
        Arch::X86_64
    };

    /// Whether this is a 32-bit microcontroller: Pulley bytecode for
    /// 32-bit pointers (`pulley32`), no native modes, and no 64-bit atomics,
    /// so no epoch interruption (see [`Arch::has_epochs`]).
    pub const fn is_32_bit(self) -> bool {
        matches!(self, Arch::Riscv32 | Arch::Thumbv7em)
    }

    /// Whether Wasmtime offers epoch interruption on this architecture. The
    /// epoch is a 64-bit counter that a timer bumps while WebAssembly runs,
    /// so Wasmtime compiles it (`Engine::increment_epoch`,
    /// `Config::epoch_interruption`) only where `AtomicU64` exists; RV32IMAC
    /// and ARMv7E-M have 32-bit atomics only. Fuel is the interruption there.
    pub const fn has_epochs(self) -> bool {
        !self.is_32_bit()
    }

    /// The Pulley target of `minimal` and `small` on this architecture:
    /// bytecode for its pointer width, little-endian as all of these are.
    pub const fn pulley_target(self) -> &'static str {
        if self.is_32_bit() {
            "pulley32"
        } else {
            "pulley64"
        }
    }
}

/// The configuration of `mode` for the architecture this crate is compiled
/// for; see [`config_for`].
pub fn config(mode: EmbMode, wasi: bool) -> Result<Config> {
    config_for(mode, Arch::NATIVE, wasi)
}

/// The configuration of `mode` on `arch`, for precompiling (host) and
/// loading (embedding) alike. `wasi` says whether the embedding was built
/// with its `wasi` feature, which adds the component model.
pub fn config_for(mode: EmbMode, arch: Arch, wasi: bool) -> Result<Config> {
    let mut config = match (mode, arch) {
        (EmbMode::Minimal, _) => minimal_for(arch),
        (EmbMode::Small, _) => small_for(arch),
        (EmbMode::Vm | EmbMode::Full, Arch::Riscv32 | Arch::Thumbv7em) => {
            wasmtime::bail!(
                "the {} mode runs native code, and Cranelift has no backend for 32-bit {:?}: \
                 microcontrollers run the minimal or small mode (Pulley)",
                if mode == EmbMode::Vm { "vm" } else { "full" },
                arch
            )
        }
        (EmbMode::Vm, Arch::X86_64) => vm(),
        (EmbMode::Full, Arch::X86_64) => full(),
        (EmbMode::Vm, Arch::Aarch64) => vm_aarch64(),
        (EmbMode::Full, Arch::Aarch64) => full_aarch64(),
        (EmbMode::Vm, Arch::Riscv64) => vm_riscv64(),
        (EmbMode::Full, Arch::Riscv64) => full_riscv64(),
    }?;
    // An artifact records the proposals it was compiled with, and Wasmtime
    // refuses one that names a proposal the loading engine lacks. The host is
    // built with the component model, so say explicitly whether the
    // embedding has it: a core module compiled for a build without WASI must
    // not claim it.
    config.wasm_features(WasmFeatures::COMPONENT_MODEL, wasi);
    // Where there are no epochs, the host compiles without them too, so the
    // artifacts carry no epoch checks the embedding could not feed.
    #[cfg(target_has_atomic = "64")]
    if arch.has_epochs() {
        epoch_interruption(&mut config);
    }
    Ok(config)
}

/// Epoch interruption, in every mode: generated code compares the engine's
/// epoch with the store's deadline at each function entry and loop back
/// edge, so a host thread or the platform's timer interrupt can stop a
/// runaway guest by bumping one counter (`engine_increment_epoch`), where
/// fuel needs no timer but stops only after a count of instructions.
///
/// Kept out of [`wasm_features`], which the host's stock-Wasmtime references
/// share: a store of an epoch-enabled engine traps at once until given a
/// deadline, and the correctness references (conformance, fuzzing, WASI)
/// create stores of their own; the checks change no result, so those
/// comparisons lose nothing. The performance references (`host bench`, cold
/// start) call this function too and arm a deadline, so that both sides of
/// every speed ratio pay for the same checks.
///
/// Absent on targets without 64-bit atomics, as in Wasmtime
/// ([`Arch::has_epochs`]).
#[cfg(target_has_atomic = "64")]
pub fn epoch_interruption(config: &mut Config) {
    config.epoch_interruption(true);
}

/// `minimal`: the platform provides TLS and nothing else.
pub fn minimal() -> Result<Config> {
    minimal_for(Arch::NATIVE)
}

/// [`minimal`] on `arch` (the Pulley target follows its pointer width).
fn minimal_for(arch: Arch) -> Result<Config> {
    let mut config = Config::new();
    pulley_on_heap(&mut config, arch)?;
    wasm_features(&mut config);
    Ok(config)
}

/// `small`: `minimal` built for size (docs/footprint.md). The same
/// platform, the same Pulley bytecode and memory layout; the embedding is
/// built without Wasmtime's GC runtime (its `gc` Cargo feature), which the
/// GC and exception-handling proposals need, so they are off here, where
/// the host compiles and the embedding loads alike: a module using them is
/// refused when precompiled, naming the proposal.
pub fn small() -> Result<Config> {
    small_for(Arch::NATIVE)
}

/// [`small`] on `arch`.
fn small_for(arch: Arch) -> Result<Config> {
    let mut config = Config::new();
    pulley_on_heap(&mut config, arch)?;
    wasm_features(&mut config);
    // GC_TYPES gates the types that live on the GC heap (externref, anyref,
    // structs, arrays); Wasmtime enables it by default when it is compiled
    // with GC. The host is, so it is turned off by name, or every artifact
    // would claim it and the embedding would refuse them all.
    config.wasm_features(
        WasmFeatures::GC | WasmFeatures::GC_TYPES | WasmFeatures::EXCEPTIONS,
        false,
    );
    Ok(config)
}

/// The interpreter and memory layout of `minimal` and `small`.
fn pulley_on_heap(config: &mut Config, arch: Arch) -> Result<()> {
    // Pulley is Wasmtime's portable interpreter: its bytecode needs no
    // executable memory, so no virtual-memory hooks and no icache flushing.
    // Its pointer width must be the machine's: Wasmtime refuses pulley64
    // bytecode on a 32-bit target and the reverse.
    config.target(arch.pulley_target())?;
    // No signal handlers exist: every trap (bounds, divide by zero, stack
    // overflow) is checked explicitly by the interpreter.
    config.signals_based_traps(false);
    // Without virtual memory, linear memory is a plain heap allocation: no
    // address space is reserved ahead, growth reallocates (and may move), and
    // slack of 1 MiB saves a copy per small `memory.grow`.
    config.memory_reservation(0);
    config.memory_guard_size(0);
    config.guard_before_linear_memory(false);
    config.memory_reservation_for_growth(1 << 20);
    config.memory_may_move(true);
    // Copy-on-write images need `mmap`; data segments are copied instead.
    config.memory_init_cow(false);
    if arch.is_32_bit() {
        // Pulley's WebAssembly stack is a heap allocation of exactly this
        // size, made per thread that calls in. Wasmtime's default (512 KiB)
        // is more than a microcontroller's RAM; 16 KiB holds the samples'
        // recursion (`fib`) with room to spare, and deeper recursion traps
        // as a stack overflow, cleanly.
        config.max_wasm_stack(MCU_WASM_STACK);
        // A memory without virtual memory is one allocation of its size
        // plus this slack; on a device with 192 KiB of RAM, 1 MiB of slack
        // cannot be allocated at all. Growth reallocates instead.
        config.memory_reservation_for_growth(0);
    }
    Ok(())
}

/// The WebAssembly stack of the 32-bit targets (see `pulley_on_heap`).
pub const MCU_WASM_STACK: usize = 16 << 10;

/// `vm`: virtual memory, no signals; native x86_64 code.
pub fn vm() -> Result<Config> {
    let mut config = Config::new();
    native_x86_64(&mut config)?;
    // No signal handlers: Cranelift emits an explicit bounds check for every
    // memory access and an explicit test before every division, so no fault
    // ever needs catching.
    config.signals_based_traps(false);
    // Explicit checks make guard pages useless, but the reservation must
    // hold any 32-bit memory whole: Wasmtime 48 cannot move a memory that
    // has a copy-on-write image on a custom platform (`vm/memory.rs`
    // asserts `cfg!(unix)` before dropping the image, and panics), so a
    // memory must never outgrow its reservation. Reserved address space
    // costs no RAM on Linux. With nothing to move into, growth past 4 GiB
    // (64-bit memories only) fails cleanly instead.
    config.memory_reservation(1 << 32);
    config.memory_guard_size(0);
    config.guard_before_linear_memory(false);
    config.memory_reservation_for_growth(0);
    config.memory_may_move(false);
    // Data segments are mapped copy-on-write through the platform's
    // `wasmtime_memory_image_*` hooks.
    config.memory_init_cow(true);
    wasm_features(&mut config);
    Ok(config)
}

/// `full`: virtual memory and native signals; the configuration stock
/// Wasmtime uses on 64-bit Linux.
pub fn full() -> Result<Config> {
    let mut config = Config::new();
    native_x86_64(&mut config)?;
    // Out-of-bounds accesses, divisions by zero and `unreachable` fault in
    // hardware and reach Wasmtime through `wasmtime_init_traps`.
    config.signals_based_traps(true);
    // 4 GiB of reservation plus a 32 MiB guard region covers every 32-bit
    // address plus any static offset Cranelift folds in, so 32-bit memories
    // need no bounds checks at all.
    config.memory_reservation(1 << 32);
    config.memory_guard_size(32 << 20);
    config.guard_before_linear_memory(true);
    config.memory_reservation_for_growth(2 << 30);
    config.memory_may_move(true);
    config.memory_init_cow(true);
    wasm_features(&mut config);
    Ok(config)
}

/// `vm` on riscv64: [`vm_board`] for rv64gc, which has no WebAssembly SIMD.
pub fn vm_riscv64() -> Result<Config> {
    let mut config = vm_board(native_riscv64)?;
    no_simd_without_v(&mut config);
    Ok(config)
}

/// `full` on riscv64: [`full_board`] for rv64gc, which has no WebAssembly
/// SIMD. Page faults (guard pages) and illegal-instruction traps
/// (`unreachable` and Cranelift's other trap points) go to
/// `wasmtime_init_traps`'s handler, which the kernel's exception vector
/// (`stvec`, ports/qemu-virt) calls.
pub fn full_riscv64() -> Result<Config> {
    let mut config = full_board(native_riscv64)?;
    no_simd_without_v(&mut config);
    Ok(config)
}

/// `vm` on aarch64: [`vm_board`] for ARMv8.0-A.
pub fn vm_aarch64() -> Result<Config> {
    vm_board(native_aarch64)
}

/// `full` on aarch64: [`full_board`] for ARMv8.0-A. Data and instruction
/// aborts (guard pages) and `udf` (`unreachable` and Cranelift's other trap
/// points) reach `wasmtime_init_traps`'s handler through the platform's
/// signal handler (Linux) or the kernel's exception vector (`VBAR_EL1`,
/// ports/qemu-virt).
pub fn full_aarch64() -> Result<Config> {
    full_board(native_aarch64)
}

/// `vm` on aarch64 and riscv64, whose small boards (ports/qemu-virt) run
/// it: the explicit-checks design of [`vm`], with address-space figures
/// sized for a kernel that hands Wasmtime a 1 GiB window of its 39-bit
/// address space. On Linux the figures are merely modest. `native` sets the
/// target and CPU flags.
fn vm_board(native: fn(&mut Config) -> Result<()>) -> Result<Config> {
    let mut config = Config::new();
    native(&mut config)?;
    // Explicit bounds and division checks, as on x86_64: no fault ever needs
    // catching, so the platform needs no exception or signal handler.
    config.signals_based_traps(false);
    // A reservation costs address space and nothing else: reserved pages are
    // not mapped, so they take no RAM and no page-table pages until used.
    // 8 MiB each (128 WebAssembly pages) lets a 1 GiB window hold the code
    // and over a hundred memories at once; a memory that outgrows 8 MiB is
    // moved with 1 MiB of slack, which on a board with a few MiB of RAM is
    // about what it can spare.
    config.memory_reservation(8 << 20);
    config.memory_guard_size(0);
    config.guard_before_linear_memory(false);
    config.memory_reservation_for_growth(1 << 20);
    config.memory_may_move(true);
    // Data segments go through the `wasmtime_memory_image_*` hooks (the
    // port copies them, lacking a page-fault handler to share pages
    // copy-on-write; Linux maps them copy-on-write).
    config.memory_init_cow(true);
    board_stack(&mut config);
    wasm_features(&mut config);
    Ok(config)
}

/// `full` on aarch64 and riscv64: the memory layout of x86_64 [`full`], so
/// 32-bit memories need no bounds checks: out-of-bounds accesses fault on
/// unmapped pages. It costs address space only (ports/qemu-virt's window is
/// 64 GiB); unmapped pages take no RAM. Neither architecture's division
/// faults (AArch64 `sdiv` by zero gives 0, RISC-V's gives -1), so divisions
/// keep their explicit checks whatever `signals_based_traps` says.
fn full_board(native: fn(&mut Config) -> Result<()>) -> Result<Config> {
    let mut config = Config::new();
    native(&mut config)?;
    config.signals_based_traps(true);
    config.memory_reservation(1 << 32);
    config.memory_guard_size(32 << 20);
    config.guard_before_linear_memory(true);
    // Only 64-bit memories can outgrow 4 GiB; they move, with 1 MiB slack.
    config.memory_reservation_for_growth(1 << 20);
    config.memory_may_move(true);
    config.memory_init_cow(true);
    board_stack(&mut config);
    wasm_features(&mut config);
    Ok(config)
}

/// Native code may run on a kernel's stack (256 KiB in ports/qemu-virt).
/// Wasmtime's default limit, 512 KiB below the entry point, would let a deep
/// recursion run off its end into .bss before the stack check traps;
/// 128 KiB leaves the rest to the kernel and the embedding.
fn board_stack(config: &mut Config) {
    config.max_wasm_stack(128 << 10);
}

/// The target and CPU features of the aarch64 native modes.
fn native_aarch64(config: &mut Config) -> Result<()> {
    // The OS part of the triple must be the embedding's own (`none`).
    config.target("aarch64-unknown-none")?;
    // The `aarch64-unknown-none` Rust target guarantees ARMv8.0-A with FP
    // and Advanced SIMD (`+v8a,+neon`) and nothing more. Every CPU flag of
    // Cranelift's arm64 backend names a later extension (LSE atomics,
    // pointer authentication, FP16, dot product, I8MM, BTI), so each is set
    // off here by name rather than left to a default: the code must run on
    // any ARMv8.0 core. WebAssembly SIMD needs no flag: Cranelift lowers it
    // to Advanced SIMD, which every AArch64 core has, so SIMD and relaxed
    // SIMD stay on (unlike riscv64 without V).
    //
    // `+strict-align` in the Rust target matters only with the MMU off
    // (Device memory); Cranelift emits unaligned accesses for WebAssembly
    // loads and stores, so a kernel must run this code with the MMU on,
    // memories mapped Normal and SCTLR_EL1.A clear (ports/qemu-virt does).
    #[cfg(feature = "compiler")]
    for flag in AARCH64_CPU_FLAGS_OFF {
        // SAFETY: turning a feature off only narrows what the code may use.
        unsafe {
            config.cranelift_flag_set(flag, "false");
        }
    }
    // The float ABI needs no workaround (compare `x86_float_abi_ok`, which
    // Wasmtime checks for `x86_64-unknown-none` only): aarch64-unknown-none
    // is hard-float, passing floats in v registers as AAPCS64 says, which is
    // the convention Cranelift uses for calls into the runtime. (The
    // soft-float variant is a different target,
    // `aarch64-unknown-none-softfloat`, which this project does not use.)
    //
    // With every flag off Wasmtime asks nothing when loading; the answers
    // come from the ARMv8.0 baseline should an artifact ever claim more.
    // SAFETY: the answers are what the target guarantees.
    unsafe {
        config.detect_host_feature(crate::cpu::detect_armv8a_feature);
    }
    Ok(())
}

/// Cranelift's arm64 flags that need more than ARMv8.0-A (the `has_*`
/// extensions) or change the code's ABI with return-address signing and
/// branch-target landing pads: set off explicitly.
pub const AARCH64_CPU_FLAGS_OFF: &[&str] = &[
    "has_lse",
    "has_pauth",
    "has_fp16",
    "has_dotprod",
    "has_i8mm",
    "sign_return_address",
    "sign_return_address_all",
    "sign_return_address_with_bkey",
    "use_bti",
];

/// The target and CPU features of the riscv64 native modes.
fn native_riscv64(config: &mut Config) -> Result<()> {
    // The OS part of the triple must be the embedding's own (`none`), as on
    // x86_64; `riscv64gc` is how target-lexicon names the architecture.
    config.target("riscv64gc-unknown-none-elf")?;
    // Exactly what the `riscv64gc-unknown-none-elf` Rust target guarantees
    // (RV64IMAFDC, Zicsr, Zifencei). Cranelift enables M, A, F, D, Zicsr and
    // Zifencei by default; it does not enable compressed instructions, which
    // rv64gc has. Nothing beyond rv64gc: no Zba/Zbb or Zfa, and no V, so no
    // WebAssembly SIMD (`no_simd_without_v`).
    #[cfg(feature = "compiler")]
    for flag in RISCV64_CPU_FLAGS {
        // SAFETY: every flag is part of rv64gc, which the embedding's own
        // target already requires of the CPU.
        unsafe {
            config.cranelift_flag_enable(flag);
        }
    }
    // The float ABI needs no workaround here (compare `x86_float_abi_ok`):
    // riscv64gc-unknown-none-elf is hard-float (lp64d), which is the calling
    // convention Cranelift uses for calls into the runtime, so floats pass
    // in f registers on both sides.
    //
    // Wasmtime 48 does not ask `detect_host_feature` about riscv64 flags
    // (it accepts them all: there is no stable riscv feature detection);
    // the function still answers from rv64gc, should that change.
    // SAFETY: the answers are what the target guarantees.
    unsafe {
        config.detect_host_feature(crate::cpu::detect_rv64gc_feature);
    }
    Ok(())
}

/// Cranelift lowers WebAssembly SIMD on riscv64 only with the V extension,
/// which rv64gc lacks; without it, compiling a SIMD module panics inside
/// Cranelift (Wasmtime 48). Turning the proposals off makes Wasmtime reject
/// such a module cleanly, as invalid, when it is precompiled.
fn no_simd_without_v(config: &mut Config) {
    config.wasm_relaxed_simd(false);
    config.wasm_simd(false);
}

/// Cranelift flags for riscv64 code: the rv64gc base, named explicitly.
pub const RISCV64_CPU_FLAGS: &[&str] = &[
    "has_m",
    "has_a",
    "has_f",
    "has_d",
    "has_zca",
    "has_zcd",
    "has_zicsr",
    "has_zifencei",
];

/// The target, CPU features and float ABI shared by `vm` and `full`.
fn native_x86_64(config: &mut Config) -> Result<()> {
    // The OS part of the triple must be the embedding's own: Wasmtime refuses
    // an artifact compiled for another operating system.
    config.target("x86_64-unknown-none")?;
    // Wasm float instructions that the baseline x86_64 ISA lacks (ceil, floor,
    // trunc, nearest need SSE4.1; relaxed fma needs FMA; swizzles need SSSE3)
    // would become calls into the runtime passing floats in XMM registers. The
    // embedding is compiled for the soft-float `x86_64-unknown-none` target,
    // which passes floats in integer registers, so such calls would corrupt
    // values. Enabling these features makes Cranelift emit the instructions
    // inline, and no float ever crosses into Rust.
    #[cfg(feature = "compiler")]
    for flag in NATIVE_CPU_FLAGS {
        // SAFETY: the embedding checks each flag with `detect_cpu_feature`
        // before it runs the code, and refuses to load it otherwise.
        unsafe {
            config.cranelift_flag_enable(flag);
        }
    }
    // SAFETY: sound because of the flags above; see `Config::x86_float_abi_ok`.
    unsafe {
        config.x86_float_abi_ok(true);
        // Without `std` Wasmtime cannot probe the CPU; this answers with CPUID.
        config.detect_host_feature(crate::cpu::detect_cpu_feature);
    }
    Ok(())
}

/// Cranelift flags enabled for native code (x86-64-v3 minus AVX): the float
/// instructions above, plus POPCNT, LZCNT and BMI for cheaper integer code.
pub const NATIVE_CPU_FLAGS: &[&str] = &[
    "has_sse3",
    "has_ssse3",
    "has_sse41",
    "has_sse42",
    "has_fma",
    "has_popcnt",
    "has_lzcnt",
    "has_bmi1",
    "has_bmi2",
];

/// WebAssembly proposals and fuel, the same in every mode: everything of
/// WebAssembly 3.0 that Wasmtime supports without `std`. (Threads need shared
/// memory, which needs `std`.) The host's stock-Wasmtime reference runs use
/// this function too, so both sides always have the same feature set.
pub fn wasm_features(config: &mut Config) {
    // A runaway guest must be stoppable without threads or timers, which a
    // minimal platform may not have: fuel is checked by the generated code.
    config.consume_fuel(true);
    config.wasm_simd(true);
    config.wasm_relaxed_simd(true);
    config.wasm_multi_memory(true);
    config.wasm_memory64(true);
    config.wasm_tail_call(true);
    config.wasm_extended_const(true);
    config.wasm_wide_arithmetic(true);
    // By flag rather than `wasm_gc` and friends, which exist only when
    // Wasmtime is built with GC: `small`'s embedding is not (see `small`).
    config.wasm_features(
        WasmFeatures::FUNCTION_REFERENCES | WasmFeatures::GC | WasmFeatures::EXCEPTIONS,
        true,
    );
}

/// Stock Wasmtime (with `std`, on Linux) as the host's reference on `arch`,
/// on top of [`wasm_features`]: native code, or with `pulley` the same
/// bytecode as `minimal`. Artifacts for aarch64 and riscv64 are precompiled
/// on x86_64 and loaded by that arch's loader-only host under qemu-user, so
/// both ends call this with the same arguments.
///
/// Native on x86_64 adds nothing: the host's own target, with the CPU
/// features Wasmtime detects. On aarch64 and riscv64 the target is named,
/// since it is not the compiling machine's, and the CPU flags are the
/// embedding's baseline of that arch (as in `native_aarch64`,
/// `native_riscv64`), so a ratio compares the same instructions; riscv64
/// also loses SIMD, as its native modes do (`no_simd_without_v`). Pulley is
/// the same everywhere, SIMD included, as `minimal` is.
pub fn stock(arch: Arch, pulley: bool, config: &mut Config) -> Result<()> {
    match (pulley, arch) {
        (true, _) => {
            config.target(arch.pulley_target())?;
        }
        (false, Arch::Riscv32 | Arch::Thumbv7em) => {
            wasmtime::bail!("no native code for 32-bit {arch:?}: Cranelift has no backend for it")
        }
        (false, Arch::X86_64) => {}
        (false, Arch::Aarch64) => {
            // Cranelift's arm64 flags are all off unless set, for a target
            // that is not the compiling machine: ARMv8.0-A, as the embedding.
            config.target("aarch64-unknown-linux-gnu")?;
        }
        (false, Arch::Riscv64) => {
            config.target("riscv64gc-unknown-linux-gnu")?;
            #[cfg(feature = "compiler")]
            for flag in RISCV64_CPU_FLAGS {
                // SAFETY: rv64gc, what riscv64gc-unknown-linux-gnu requires.
                unsafe {
                    config.cranelift_flag_enable(flag);
                }
            }
            no_simd_without_v(config);
        }
    }
    // The loader-only host is built without the component model; an
    // artifact must not claim it there, nor differ here.
    config.wasm_features(WasmFeatures::COMPONENT_MODEL, false);
    Ok(())
}

/* Entry from QEMU's -kernel loader: EL1, MMU and caches off, x0 = DTB.
 * Sets up what C and Rust assume, then calls kernel_main. */
    .section .text.boot, "ax"
    .globl _start
_start:
    /* The Rust target is hard-float: with CPACR_EL1.FPEN = 0b11, FP/SIMD
     * instructions no longer trap at EL1 or EL0. */
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb

    adrp    x0, __stack_top
    add     x0, x0, :lo12:__stack_top
    mov     sp, x0

    adrp    x0, exception_vectors
    add     x0, x0, :lo12:exception_vectors
    msr     vbar_el1, x0

    /* .bss must read as zero: the embedding's heap arena lives there. */
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:
    bl      mmu_enable
    bl      kernel_main
    /* kernel_main does not return; if it did, report it as a crash. */
    b       report_crash

/* Any exception is a crash in this kernel: report it and stop. Sixteen
 * entries of 128 bytes, four groups of four (synchronous, IRQ, FIQ,
 * SError): from the current EL with SP_EL0, with SP_ELx (the kernel's own
 * exceptions: it runs at EL1 on SP_EL1), and from lower ELs. */
    .balign 2048
exception_vectors:
    .rept 4
    b       report_crash
    .balign 128
    .endr
    b       current_el_sync
    .balign 128
    .rept 11
    b       report_crash
    .balign 128
    .endr

/* In full mode, WebAssembly's traps go to Wasmtime first (full/traps.c):
 * wasm_trap does not return if Wasmtime handles the trap. x29 is the
 * interrupted code's frame pointer. Nothing needs saving: if wasm_trap
 * returns, the kernel only reports and stops. */
current_el_sync:
#ifdef PORT_FULL
    mrs     x0, esr_el1
    mrs     x1, elr_el1
    mrs     x2, far_el1
    mov     x3, x29
    bl      wasm_trap
#endif
report_crash:
    mrs     x0, esr_el1
    mrs     x1, elr_el1
    mrs     x2, far_el1
    bl      crash
3:  wfe
    b       3b

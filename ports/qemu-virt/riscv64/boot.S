/* Entry from OpenSBI: S-mode, MMU off (satp = 0), a0 = hart id, a1 = DTB.
 * Sets up what C and Rust assume, then calls kernel_main. */
    .section .text.boot, "ax"
    .globl _start
_start:
    /* gp-relative relaxation would need __global_pointer$; keep it off. */
    .option push
    .option norelax
    la      sp, __stack_top
    .option pop

    /* .bss must read as zero: the embedding's heap arena lives there. */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    /* The Rust target is hard-float: until sstatus.FS leaves Off, the
     * first FP instruction traps. 1 << 13 is FS = Initial. */
    li      t0, 1 << 13
    csrs    sstatus, t0

    la      t0, trap_entry
    csrw    stvec, t0

    call    kernel_main
    /* kernel_main does not return; if it did, report it as a crash. */
    j       trap_entry

/* Any exception or interrupt is a crash in this kernel: report and stop.
 * In full mode, WebAssembly's traps go to Wasmtime first (full/traps.c):
 * wasm_trap does not return if Wasmtime handles the trap. */
    .balign 4
trap_entry:
#ifdef PORT_FULL
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    mv      a3, s0
    call    wasm_trap
#endif
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    call    crash
1:  j       1b

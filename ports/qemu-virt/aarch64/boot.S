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
 * entries of 128 bytes; each branches to the same report. */
    .balign 2048
exception_vectors:
    .rept 16
    b       report_crash
    .balign 128
    .endr

report_crash:
    mrs     x0, esr_el1
    mrs     x1, elr_el1
    mrs     x2, far_el1
    bl      crash
3:  wfe
    b       3b

/* Reset of the STM32F405 (QEMU's netduinoplus2): the vector table at the
 * start of flash gives the stack pointer and this handler. Enables the FPU
 * (the Rust target is hard-float, and an FP instruction with CP10/CP11 off
 * is a UsageFault), copies .data from flash, zeroes .bss and calls
 * kernel_main. */
    .syntax unified
    .thumb

    .section .vectors, "a"
    .globl vectors
vectors:
    .word   __stack_top
    /* Handlers: the linker sets bit 0 (Thumb) of every function address. */
    .word   reset
    .word   fault          /* NMI */
    .word   fault          /* HardFault */
    .word   fault          /* MemManage */
    .word   fault          /* BusFault */
    .word   fault          /* UsageFault */
    .word   0, 0, 0, 0
    .word   fault          /* SVCall */
    .word   fault          /* DebugMonitor */
    .word   0
    .word   fault          /* PendSV */
    .word   systick_handler

    .section .text.boot, "ax"
    .thumb_func
    .globl reset
reset:
    /* CPACR: full access to CP10 and CP11 (the FPU). */
    ldr     r0, =0xe000ed88
    ldr     r1, [r0]
    orr     r1, r1, #(0xf << 20)
    str     r1, [r0]
    dsb
    isb

    ldr     r0, =__data_load
    ldr     r1, =__data_start
    ldr     r2, =__data_end
1:  cmp     r1, r2
    bhs     2f
    ldr     r3, [r0], #4
    str     r3, [r1], #4
    b       1b
2:
    /* .bss must read as zero: the embedding's heap arena lives there. */
    ldr     r1, =__bss_start
    ldr     r2, =__bss_end
    movs    r3, #0
3:  cmp     r1, r2
    bhs     4f
    str     r3, [r1], #4
    b       3b
4:
    bl      systick_start
    bl      kernel_main
    b       fault

/* Any other exception is a crash: the number of the active exception
 * (IPSR), the stacked pc, and the fault address (BFAR, or MMFAR for a
 * MemManage fault; 0 when neither is valid). */
    .thumb_func
fault:
    tst     lr, #4
    ite     eq
    mrseq   r3, msp
    mrsne   r3, psp
    ldr     r1, [r3, #24]
    mrs     r0, ipsr
    ldr     r2, =0xe000ed38
    ldr     r2, [r2]
    bl      crash
5:  b       5b

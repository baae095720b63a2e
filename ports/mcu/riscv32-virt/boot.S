/* Reset: QEMU's virt machine with -bios none and a flash drive jumps here,
 * to the first byte of flash (0x20000000), in M-mode, MMU-less as a
 * microcontroller is. Copies .data from flash, zeroes .bss, installs the
 * trap vector and calls kernel_main on the stack the linker script sets. */
    .section .text.boot, "ax"
    .globl _start
_start:
    /* gp-relative relaxation would need __global_pointer$; keep it off. */
    .option push
    .option norelax
    la      sp, __stack_top
    .option pop

    /* .data: initialised in flash, used in RAM. */
    la      t0, __data_load
    la      t1, __data_start
    la      t2, __data_end
1:  bgeu    t1, t2, 2f
    lw      t3, 0(t0)
    sw      t3, 0(t1)
    addi    t0, t0, 4
    addi    t1, t1, 4
    j       1b
2:
    /* .bss must read as zero: the embedding's heap arena lives there. */
    la      t0, __bss_start
    la      t1, __bss_end
3:  bgeu    t0, t1, 4f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       3b
4:
    la      t0, trap_entry
    csrw    mtvec, t0

    call    kernel_main
    /* kernel_main does not return; if it did, report it as a crash. */
    j       trap_entry

/* Any exception or interrupt is a crash in this firmware: report and stop. */
    .balign 4
trap_entry:
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    crash
5:  j       5b

/*
 * Fiber probes for `host platform-check`, compiled with probes.c into the
 * probe helper. Assembly, because what is tested is register state that
 * compiled code neither sets nor looks at on purpose.
 */

#include <stdint.h>

/* What probe_fiber_switch_checked saw; mirrored in fibers.rs. */
struct probe_switch_record {
  uint64_t rsp_before, rsp_after;
  uint64_t rbx, rbp, r12, r13, r14, r15;
};

/*
 * probe_fiber_switch_checked(top, switch_fn, salt, record): loads rbx, rbp,
 * r12, r13, r14 and r15 with salt + 1 ... salt + 6, calls switch_fn(top) and
 * stores in *record the stack pointer just before the call, the one after
 * it returns, and the six registers as they came back. A switch that loses
 * one shows up as a wrong value; the salt differs per side, so a register
 * that leaks from the other stack is told apart from one left alone.
 * Our own callee-saved registers are kept on the stack meanwhile.
 */
__asm__(".text\n"
        ".globl probe_fiber_switch_checked\n"
        ".type probe_fiber_switch_checked, @function\n"
        "probe_fiber_switch_checked:\n"
        "  push %rbp\n"
        "  push %rbx\n"
        "  push %r12\n"
        "  push %r13\n"
        "  push %r14\n"
        "  push %r15\n"
        "  push %rcx\n" /* record: 8(%rsp) below */
        "  push %rdx\n" /* salt (not needed again, keeps the frame even) */
        "  sub $8, %rsp\n" /* entry rsp was 8 mod 16: now 0, as for a call */
        "  mov %rsp, (%rcx)\n"
        "  lea 1(%rdx), %rbx\n"
        "  lea 2(%rdx), %rbp\n"
        "  lea 3(%rdx), %r12\n"
        "  lea 4(%rdx), %r13\n"
        "  lea 5(%rdx), %r14\n"
        "  lea 6(%rdx), %r15\n"
        "  call *%rsi\n"
        "  mov 16(%rsp), %rcx\n"
        "  mov %rsp, 8(%rcx)\n"
        "  mov %rbx, 16(%rcx)\n"
        "  mov %rbp, 24(%rcx)\n"
        "  mov %r12, 32(%rcx)\n"
        "  mov %r13, 40(%rcx)\n"
        "  mov %r14, 48(%rcx)\n"
        "  mov %r15, 56(%rcx)\n"
        "  add $24, %rsp\n"
        "  pop %r15\n"
        "  pop %r14\n"
        "  pop %r13\n"
        "  pop %r12\n"
        "  pop %rbx\n"
        "  pop %rbp\n"
        "  ret\n"
        ".size probe_fiber_switch_checked, .-probe_fiber_switch_checked\n");

/*
 * The `entry` given to wasmtime_fiber_init: records the stack pointer it
 * was entered with, then jumps to the probe's real entry (set by
 * probe_fiber_set_target) with the stack untouched. At a function's entry
 * the ABI has rsp + 8 a multiple of 16; a misaligned stack would make
 * compiled code crash on aligned SSE spills before it could report
 * anything, so then the stub returns at once, with top_of_stack as the
 * result, the way a finished fiber does.
 */
__attribute__((visibility("hidden"))) uint64_t probe_fiber_entry_sp;
__attribute__((visibility("hidden"))) void *probe_fiber_target;

__asm__(".text\n"
        ".globl probe_fiber_entry\n"
        ".type probe_fiber_entry, @function\n"
        "probe_fiber_entry:\n"
        "  mov %rsp, probe_fiber_entry_sp(%rip)\n"
        "  mov %rsp, %rax\n"
        "  and $15, %rax\n"
        "  cmp $8, %rax\n"
        "  jne 1f\n"
        "  jmp *probe_fiber_target(%rip)\n"
        "1:\n"
        "  mov %rsi, %rax\n"
        "  ret\n"
        ".size probe_fiber_entry, .-probe_fiber_entry\n");

void probe_fiber_set_target(void *target) {
  probe_fiber_target = target;
  probe_fiber_entry_sp = 0;
}

uint64_t probe_fiber_last_entry_sp(void) { return probe_fiber_entry_sp; }

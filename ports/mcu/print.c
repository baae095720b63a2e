#include "print.h"

#include "board.h"

void print(const char *s) {
    while (*s) {
        console_putc(*s++);
    }
}

void print_bytes(const uint8_t *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        console_putc((char)s[i]);
    }
}

void print_u64(uint64_t n) {
    char digits[20];
    int i = 0;
    do {
        digits[i++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (i) {
        console_putc(digits[--i]);
    }
}

void print_hex(uint64_t n) {
    print("0x");
    for (int shift = 60; shift >= 0; shift -= 4) {
        console_putc("0123456789abcdef"[(n >> shift) & 0xf]);
    }
}

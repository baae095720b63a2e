/* Console output without a C library: just what the runner prints. */
#ifndef PRINT_H
#define PRINT_H

#include <stddef.h>
#include <stdint.h>

void print(const char *s);
void print_bytes(const uint8_t *s, size_t len);
void print_u64(uint64_t n);
void print_hex(uint64_t n);

#endif

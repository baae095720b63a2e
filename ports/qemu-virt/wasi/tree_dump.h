/* Prints a program's file tree after its run for build.sh's --write-back. */
#ifndef WASI_TREE_DUMP_H
#define WASI_TREE_DUMP_H

#include "embedding.h"
#include "wasi/bundle.h"

/* After a newline, one line "@@qemu-virt-files" and then one line per
 * entry: "@@file GUEST_DIR_HEX KIND PATH_HEX DATA_HEX", KIND d, f or l
 * (data: a file's bytes, a link's target; "-" when empty), then
 * "@@qemu-virt-files-end". Hex keeps any name or byte on one line. */
void tree_dump(const EmbApi *api, const EmbProgram *program, const struct bundle_program *p);

#endif

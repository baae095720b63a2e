/* The tree dump of tree_dump.h, over EmbWasiApi::program_files. */
#include "wasi/tree_dump.h"

#include "print.h"

static void print_hex_bytes(const uint8_t *b, size_t len) {
    static const char digits[] = "0123456789abcdef";
    if (len == 0) {
        print("-");
        return;
    }
    for (size_t i = 0; i < len; i++) {
        char pair[3] = {digits[b[i] >> 4], digits[b[i] & 15], 0};
        print(pair);
    }
}

static void visit(void *env, uint32_t preopen, const uint8_t *path, uintptr_t path_len,
                  const EmbFileInfo *info) {
    const struct bundle_program *p = env;
    if (preopen >= p->npreopens) {
        return;
    }
    print("@@file ");
    print_hex_bytes(p->preopens[preopen].ptr, p->preopens[preopen].len);
    print(info->kind == EMB_FILE_KIND_DIRECTORY ? " d " : info->kind == EMB_FILE_KIND_SYMLINK ? " l " : " f ");
    print_hex_bytes(path, path_len);
    print(" ");
    print_hex_bytes(info->data, info->data_len);
    print("\n");
}

void tree_dump(const EmbApi *api, const EmbProgram *program, const struct bundle_program *p) {
    print("\n@@qemu-virt-files\n");
    EmbError *error = api->wasi->program_files(program, visit, (void *)p);
    if (error) {
        print("@@error ");
        print_bytes(error->message, error->message_len);
        print("\n");
        api->error_free(error);
    }
    print("@@qemu-virt-files-end\n");
}

/* File system checks on preopened directories, one per subcommand, with the
 * same output as the Rust fs guest:
 *   fs read PATH      print a file's size and contents
 *   fs ls PATH        list a directory recursively, sorted
 *   fs write DIR      create DIR/made, write a file in it, read it back, list DIR
 *   fs missing PATH   fopen a file that must not exist, check errno */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void die(const char *what, const char *path) {
    fprintf(stderr, "fs: %s %s: errno %d\n", what, path, errno);
    exit(1);
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        die("open", path);
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap + 1);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    }
    if (ferror(f))
        die("read", path);
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir, int indent) {
    DIR *d = opendir(dir);
    if (!d)
        die("opendir", dir);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) != 0)
            die("stat", path);
        if (S_ISDIR(st.st_mode)) {
            printf("%*s%s/\n", indent, "", names[i]);
            list(path, indent + 2);
        } else {
            printf("%*s%s (%lld bytes)\n", indent, "", names[i], (long long)st.st_size);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: fs read|ls|write|missing PATH\n");
        return 2;
    }
    const char *cmd = argv[1], *path = argv[2];
    if (!strcmp(cmd, "read")) {
        size_t len;
        char *text = slurp(path, &len);
        printf("read %s: %zu bytes\n", path, len);
        fwrite(text, 1, len, stdout);
    } else if (!strcmp(cmd, "ls")) {
        printf("%s:\n", path);
        list(path, 2);
    } else if (!strcmp(cmd, "write")) {
        char made[1024], file[1024], renamed[1024];
        snprintf(made, sizeof made, "%s/made", path);
        snprintf(file, sizeof file, "%s/note.txt", made);
        snprintf(renamed, sizeof renamed, "%s/renamed.txt", made);
        if (mkdir(made, 0755) != 0)
            die("mkdir", made);
        printf("mkdir %s: ok\n", made);
        const char *text = "written by the guest\nsecond line\n";
        FILE *f = fopen(file, "w");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
            die("write", file);
        printf("wrote %s: %zu bytes\n", file, strlen(text));
        f = fopen(file, "a");
        if (!f || fputs("appended\n", f) < 0 || fclose(f) != 0)
            die("append", file);
        size_t len;
        char *back = slurp(file, &len);
        printf("read back %zu bytes:\n", len);
        fwrite(back, 1, len, stdout);
        if (rename(file, renamed) != 0)
            die("rename", file);
        printf("renamed to renamed.txt: ok\n");
        printf("%s:\n", path);
        list(path, 2);
        int again = mkdir(made, 0755);
        printf("mkdir again: %s\n", again != 0 && errno == EEXIST ? "Err(AlreadyExists)" : "unexpected");
    } else if (!strcmp(cmd, "missing")) {
        errno = 0;
        FILE *f = fopen(path, "r");
        int err = errno; /* before printf, which may itself set errno */
        printf("missing: fopen returned NULL: %s\n", f ? "no" : "yes");
        printf("missing: errno == ENOENT: %s\n", err == ENOENT ? "yes" : "no");
    } else {
        fprintf(stderr, "fs: unknown subcommand %s\n", cmd);
        return 2;
    }
    return 0;
}

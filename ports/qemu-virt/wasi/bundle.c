/* Reads the program bundle in place (layout: bundle.h). Every length is
 * checked against the end, so a damaged bundle is refused, not overrun. */
#include "wasi/bundle.h"

static bool take(struct bundle_reader *r, size_t n, const uint8_t **out) {
    if ((size_t)(r->end - r->at) < n) {
        return false;
    }
    *out = r->at;
    r->at += n;
    return true;
}

static bool align(struct bundle_reader *r, size_t to) {
    size_t off = (size_t)(r->at - r->base);
    size_t pad = (to - off % to) % to;
    const uint8_t *ignored;
    return take(r, pad, &ignored);
}

static bool u32(struct bundle_reader *r, uint32_t *v) {
    const uint8_t *b;
    if (!align(r, 4) || !take(r, 4, &b)) {
        return false;
    }
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

static bool u64(struct bundle_reader *r, uint64_t *v) {
    uint32_t lo, hi;
    if (!u32(r, &lo) || !u32(r, &hi)) {
        return false;
    }
    *v = (uint64_t)hi << 32 | lo;
    return true;
}

static bool str(struct bundle_reader *r, EmbStr *s) {
    uint32_t len;
    return u32(r, &len) && take(r, len, &s->ptr) && ((s->len = len), true);
}

static bool blob(struct bundle_reader *r, const uint8_t **bytes, size_t *len) {
    uint32_t n;
    if (!u32(r, &n) || !align(r, 16) || !take(r, n, bytes)) {
        return false;
    }
    *len = n;
    return true;
}

static bool strs(struct bundle_reader *r, EmbStr *list, size_t *n) {
    uint32_t count;
    if (!u32(r, &count) || count > BUNDLE_MAX_LIST) {
        return false;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (!str(r, &list[i])) {
            return false;
        }
    }
    *n = count;
    return true;
}

static bool files(struct bundle_reader *r, struct bundle_program *p) {
    uint32_t count;
    if (!u32(r, &count) || count > BUNDLE_MAX_LIST) {
        return false;
    }
    for (uint32_t i = 0; i < count; i++) {
        EmbFileEntry *f = &p->files[i];
        uint32_t kind;
        size_t len;
        if (!u32(r, &f->preopen) || f->preopen >= p->npreopens || !str(r, &f->path) ||
            !u32(r, &kind) || kind > EMB_FILE_KIND_SYMLINK || !blob(r, &f->data, &len)) {
            return false;
        }
        f->kind = kind;
        f->data_len = len;
    }
    p->nfiles = count;
    return true;
}

static bool stream(struct bundle_reader *r, struct bundle_stream *s) {
    return u32(r, &s->check) && s->check <= CHECK_PREFIX && blob(r, &s->bytes, &s->len) &&
           u64(r, &s->count);
}

static bool expectations(struct bundle_reader *r, struct bundle_program *p) {
    uint32_t expect, code;
    if (!u32(r, &expect) || expect > 1) {
        return false;
    }
    p->expect = expect;
    if (!expect) {
        return true;
    }
    if (!u32(r, &p->outcome) || p->outcome > OUTCOME_FUEL || !u32(r, &code)) {
        return false;
    }
    p->exit_code = (int32_t)code;
    return stream(r, &p->out) && stream(r, &p->err);
}

bool bundle_open(struct bundle_reader *r, const uint8_t *bytes, size_t len) {
    static const char magic[8] = "WASIBNDL";
    const uint8_t *m;
    uint32_t version;
    r->base = r->at = bytes;
    r->end = bytes + len;
    if (!take(r, 8, &m)) {
        return false;
    }
    for (int i = 0; i < 8; i++) {
        if (m[i] != (uint8_t)magic[i]) {
            return false;
        }
    }
    return u32(r, &version) && version == 1 && u32(r, &r->remaining);
}

bool bundle_next(struct bundle_reader *r, struct bundle_program *p, bool *damaged) {
    *damaged = false;
    if (r->remaining == 0) {
        return false;
    }
    r->remaining--;
    if (str(r, &p->name) && blob(r, &p->artifact, &p->artifact_len) &&
        strs(r, p->args, &p->nargs) && strs(r, p->env, &p->nenv) &&
        strs(r, p->preopens, &p->npreopens) && files(r, p) &&
        blob(r, &p->stdin_bytes, &p->stdin_len) && u64(r, &p->fuel) &&
        expectations(r, p)) {
        return true;
    }
    *damaged = true;
    return false;
}

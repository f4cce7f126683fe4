/* lua/src/stream.c - streamed bodies (client:call(op, params, opts, stream)) and CsvRows (audkit.CsvRows). See
 * binding.h. */
#include "binding.h"

/* ------------------------------------------------------------------------------------------ */
/* streamed bodies (AK_OPF_STREAM_RESULT / AK_OPF_STREAM_BODY): client:call(op, params, opts,   */
/* stream) with stream = {dest = path | object with write, rows = true, source = ...}          */
/*                                                                                            */
/* The sink and the reader run inside the libcurl transfer driven by client_call (client.c), on */
/* the same lua_State: every Lua call they make (dest:write, src:read, the id iterator) runs under      */
/* lua_pcall, so a Lua error never unwinds through libcurl; it abandons the transfer and the   */
/* call returns nil, err. The state is a userdata (STREAM_MT) whose __gc closes its files and  */
/* frees its buffers if anything escapes; the normal paths finish it explicitly. The Lua       */
/* values it uses (dest, source) sit on client_call's stack for the whole call (anchored).    */

#define STREAM_BUF ((size_t)64 * 1024) /* bytes pulled from a source per refill, read per CSV refill */

enum { DEST_NONE, DEST_PATH, DEST_OBJECT, DEST_SPOOL };
enum { SRC_NONE, SRC_PATH, SRC_DATA, SRC_OBJECT, SRC_ITER, SRC_ARRAY };
enum { FAIL_NONE, FAIL_TRANSPORT, FAIL_VALIDATION };

typedef struct lstream {
    lua_State *L;
    int dest_kind, dest_idx; /* dest_idx: the dest object on client_call's stack (client.c) */
    FILE *out;               /* owned: DEST_PATH (opened at the first chunk) or DEST_SPOOL */
    char *out_path;          /* owned copy of a DEST_PATH path (removed on failure once opened) */
    const char *chunk;       /* the chunk being handed to dest:write (borrowed, during the call) */
    size_t chunk_len;
    int src_kind, src_idx; /* src_idx: the source value on client_call's stack (client.c) */
    FILE *in;              /* owned: SRC_PATH */
    const char *data;      /* SRC_DATA: anchored in the stream table */
    size_t data_len, data_off;
    char *buf; /* owned: pending bytes of SRC_OBJECT / SRC_ITER / SRC_ARRAY */
    size_t buf_len, buf_off, buf_cap;
    lua_Integer next_id; /* 0-based index of the next id (iterator/array) */
    int ended;
    int err_idx; /* a stack slot holding the Lua error value of a failed callback */
    int fail;
    char field[64];
    char rule[160];
    char msg[512];
} lstream;

static void stream_finish(lstream *st, int ok) {
    if (st->out != NULL) {
        int bad = fclose(st->out) != 0;
        st->out = NULL;
        if (st->dest_kind == DEST_PATH && (bad || !ok) && st->out_path != NULL)
            remove(st->out_path); /* audkit opened it: no partial export left behind */
    }
    if (st->in != NULL) {
        fclose(st->in);
        st->in = NULL;
    }
    free(st->out_path);
    st->out_path = NULL;
    free(st->buf);
    st->buf = NULL;
    st->buf_len = st->buf_off = st->buf_cap = 0;
}

static int stream_gc(lua_State *L) {
    stream_finish((lstream *)luaL_checkudata(L, 1, STREAM_MT), 0);
    return 0;
}

static void stream_fail(lstream *st, int kind, const char *field, const char *rule, const char *fmt, const char *arg) {
    if (st->fail != FAIL_NONE)
        return;
    st->fail = kind;
    snprintf(st->field, sizeof st->field, "%s", field ? field : "");
    snprintf(st->rule, sizeof st->rule, "%s", rule ? rule : "");
    snprintf(st->msg, sizeof st->msg, fmt, arg ? arg : "");
}

/* After a failed lua_pcall: keeps the error value in the err_idx slot and its text in msg. */
static void stream_fail_lua(lstream *st, const char *what) {
    lua_State *L = st->L;
    const char *m = lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER ? lua_tostring(L, -1) : NULL;
    char buf[400];
    snprintf(buf, sizeof buf, "%s: %s", what, m ? m : "(a non-string error value)");
    stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "%s", buf);
    lua_replace(L, st->err_idx);
}

/* (under pcall, args: st, dest) dest:write(chunk); fails on an error or on the io convention
 * `nil, message`. Stack indexes are the protected function's own: dest is argument 2. */
static int sink_write_protected(lua_State *L) {
    lstream *st = (lstream *)lua_touserdata(L, 1);
    int base = lua_gettop(L);
    lua_getfield(L, 2, "write");
    lua_pushvalue(L, 2);
    lua_pushlstring(L, st->chunk, st->chunk_len);
    lua_call(L, 2, 2);
    if (!lua_toboolean(L, base + 1) && !lua_isnil(L, base + 2)) {
        lua_pushvalue(L, base + 2);
        return lua_error(L);
    }
    return 0;
}

static int stream_sink(void *ud, const char *data, size_t len) {
    lstream *st = ud;
    lua_State *L = st->L;
    if (st->fail != FAIL_NONE)
        return 1;
    if (st->dest_kind == DEST_PATH && st->out == NULL) {
        st->out = fopen(st->out_path, "wb");
        if (st->out == NULL) {
            char buf[400];
            snprintf(buf, sizeof buf, "cannot open %s: %s", st->out_path, strerror(errno));
            stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "dest: %s", buf);
            return 1;
        }
    }
    if (st->out != NULL) {
        if (len && fwrite(data, 1, len, st->out) != len) {
            stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "dest: write failed: %s", strerror(errno));
            return 1;
        }
        return 0;
    }
    if (!lua_checkstack(L, 6)) {
        stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "dest: %s", "Lua stack overflow");
        return 1;
    }
    st->chunk = data;
    st->chunk_len = len;
    lua_pushcfunction(L, sink_write_protected);
    lua_pushlightuserdata(L, st);
    lua_pushvalue(L, st->dest_idx);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        stream_fail_lua(st, "dest:write failed");
        return 1;
    }
    return 0;
}

static int buf_reserve(lstream *st, size_t more) {
    size_t need = st->buf_len + more, cap = st->buf_cap ? st->buf_cap : STREAM_BUF + 256;
    char *nb;
    if (need <= st->buf_cap)
        return 1;
    while (cap < need)
        cap *= 2;
    nb = (char *)realloc(st->buf, cap);
    if (nb == NULL)
        return 0;
    st->buf = nb;
    st->buf_cap = cap;
    return 1;
}

/* One id as a CSV line (id CRLF, as the ThinkingData document's trace shows). 0 and a
 * validation failure on a bad id. Same rules as the Python binding's source iterables. */
static int append_id(lstream *st, lua_State *L, int idx) {
    char num[48], field[64];
    const char *s = NULL;
    size_t len = 0;
    snprintf(field, sizeof field, "source[%lld]", (long long)st->next_id);
    if (lua_type(L, idx) == LUA_TNUMBER) {
        lua_Number d = lua_tonumber(L, idx);
        if (akc_isinteger(L, idx)) {
            snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, idx));
        } else if (d == floor(d) && fabs((double)d) <= EXACT_LIMIT) {
            snprintf(num, sizeof num, "%.0f", (double)d);
        } else {
            stream_fail(st, FAIL_VALIDATION, field, "must be a string or an integer id",
                        "%s: must be a string or an integer id", field);
            return 0;
        }
        s = num;
        len = strlen(num);
    } else if (lua_type(L, idx) == LUA_TSTRING) {
        s = lua_tolstring(L, idx, &len);
        if (len == 0 || strcspn(s, ",\"\r\n") != len || strlen(s) != len) {
            stream_fail(st, FAIL_VALIDATION, field, "must be a non-empty id without commas, quotes or line breaks",
                        "%s: must be a non-empty id without commas, quotes or line breaks", field);
            return 0;
        }
    } else {
        stream_fail(st, FAIL_VALIDATION, field, "must be a string or an integer id",
                    "%s: must be a string or an integer id", field);
        return 0;
    }
    if (!buf_reserve(st, len + 2)) {
        stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "source: %s", "out of memory");
        return 0;
    }
    memcpy(st->buf + st->buf_len, s, len);
    memcpy(st->buf + st->buf_len + len, "\r\n", 2);
    st->buf_len += len + 2;
    st->next_id++;
    return 1;
}

/* (under pcall, args: st, source) refills st->buf with about STREAM_BUF bytes, or sets
 * st->ended. Stack indexes are the protected function's own: the source is argument 2. */
static int reader_fill_protected(lua_State *L) {
    lstream *st = (lstream *)lua_touserdata(L, 1);
    int top = lua_gettop(L);
    while (!st->ended && st->fail == FAIL_NONE && st->buf_len < STREAM_BUF) {
        lua_settop(L, top);
        if (st->src_kind == SRC_OBJECT) { /* src:read(n): a string, or nil at the end (nil, msg: a failure) */
            size_t len;
            const char *s;
            lua_getfield(L, 2, "read");
            lua_pushvalue(L, 2);
            lua_pushinteger(L, (lua_Integer)STREAM_BUF);
            lua_call(L, 2, 2);
            if (lua_isnil(L, -2)) {
                if (!lua_isnil(L, -1)) {
                    lua_pushvalue(L, -1);
                    return lua_error(L);
                }
                st->ended = 1;
                break;
            }
            if (lua_type(L, -2) != LUA_TSTRING) {
                stream_fail(st, FAIL_VALIDATION, "source", "read must return strings", "source: %s",
                            "read(n) must return strings (a file opened for reading)");
                break;
            }
            s = lua_tolstring(L, -2, &len);
            if (len == 0) {
                st->ended = 1;
                break;
            }
            if (!buf_reserve(st, len))
                return luaL_error(L, "out of memory");
            memcpy(st->buf + st->buf_len, s, len);
            st->buf_len += len;
        } else if (st->src_kind == SRC_ITER) { /* fn() -> id | nil (the end) */
            lua_pushvalue(L, 2);
            lua_call(L, 0, 1);
            if (lua_isnil(L, -1)) {
                st->ended = 1;
                break;
            }
            if (!append_id(st, L, -1))
                break;
        } else { /* SRC_ARRAY: validated before sending */
            lua_rawgeti(L, 2, (int)st->next_id + 1);
            if (lua_isnil(L, -1)) {
                st->ended = 1;
                break;
            }
            if (!append_id(st, L, -1))
                break;
        }
    }
    lua_settop(L, top);
    return 0;
}

static int64_t stream_reader(void *ud, char *dst, size_t cap) {
    lstream *st = ud;
    lua_State *L = st->L;
    size_t k;
    if (st->fail != FAIL_NONE)
        return -1;
    switch (st->src_kind) {
    case SRC_PATH:
        k = fread(dst, 1, cap, st->in);
        if (k == 0 && ferror(st->in)) {
            stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "source: read failed: %s", strerror(errno));
            return -1;
        }
        return (int64_t)k;
    case SRC_DATA:
        k = st->data_len - st->data_off < cap ? st->data_len - st->data_off : cap;
        memcpy(dst, st->data + st->data_off, k);
        st->data_off += k;
        return (int64_t)k;
    default: break;
    }
    if (st->buf_off >= st->buf_len) {
        st->buf_off = st->buf_len = 0;
        if (!st->ended) {
            if (!lua_checkstack(L, 8)) {
                stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "source: %s", "Lua stack overflow");
                return -1;
            }
            lua_pushcfunction(L, reader_fill_protected);
            lua_pushlightuserdata(L, st);
            lua_pushvalue(L, st->src_idx);
            if (lua_pcall(L, 2, 0, 0) != LUA_OK)
                stream_fail_lua(st, st->src_kind == SRC_ITER ? "source iterator failed" : "source:read failed");
        }
        if (st->fail != FAIL_NONE)
            return -1;
    }
    k = st->buf_len - st->buf_off < cap ? st->buf_len - st->buf_off : cap;
    if (k)
        memcpy(dst, st->buf + st->buf_off, k);
    st->buf_off += k;
    return (int64_t)k;
}

/* 1 if the value at idx has a callable-looking method `name` (a field that is not nil). */
static int has_method(lua_State *L, int idx, const char *name) {
    int t = lua_type(L, idx), ok;
    if (t != LUA_TTABLE && t != LUA_TUSERDATA)
        return 0;
    lua_getfield(L, idx, name);
    ok = !lua_isnil(L, -1);
    lua_pop(L, 1);
    return ok;
}

/* Reads the stream table at `sidx` into a new stream userdata (pushed; its index in *st_idx),
 * pushing dest/source and an error slot above it. 0, or -1 with nil, err pushed (a validation
 * error before anything is sent). */
static int stream_setup(lua_State *L, int sidx, lstream **out) {
    lstream *st;
    int vt;
    luaL_checktype(L, sidx, LUA_TTABLE);
    st = (lstream *)akc_newuserdata(L, sizeof *st);
    memset(st, 0, sizeof *st);
    akc_setmetatable(L, STREAM_MT);
    *out = st;
    st->L = L;
    lua_pushnil(L);
    st->err_idx = lua_gettop(L);
    lua_getfield(L, sidx, "dest");
    st->dest_idx = lua_gettop(L);
    vt = lua_type(L, st->dest_idx);
    if (vt == LUA_TSTRING) {
        size_t len;
        const char *p = lua_tolstring(L, st->dest_idx, &len);
        if (len == 0 || strlen(p) != len) {
            lua_pushnil(L);
            akl_push_validation(L, "dest", "must be a path, a file handle or nil", "dest: must be a non-empty path");
            return -1;
        }
        st->out_path = (char *)malloc(len + 1);
        if (st->out_path == NULL)
            return luaL_error(L, "audkit: out of memory");
        memcpy(st->out_path, p, len + 1);
        st->dest_kind = DEST_PATH;
    } else if (vt != LUA_TNIL) {
        if (!has_method(L, st->dest_idx, "write")) {
            lua_pushnil(L);
            akl_push_validation(L, "dest", "must be a path, a file handle or nil",
                                "dest: must be a path, a file handle (an object with write) or nil (rows)");
            return -1;
        }
        st->dest_kind = DEST_OBJECT;
    }
    lua_getfield(L, sidx, "rows");
    if (lua_toboolean(L, -1) && st->dest_kind == DEST_NONE) {
        st->out = tmpfile();
        if (st->out == NULL) {
            ak_error e = AK_ERROR_INIT;
            e.kind = AK_ERR_TRANSPORT;
            snprintf(e.message, sizeof e.message, "dest: cannot create a temporary file for the rows: %s",
                     strerror(errno));
            lua_pop(L, 1);
            akl_return_error(L, &e);
            return -1;
        }
        st->dest_kind = DEST_SPOOL;
    }
    lua_pop(L, 1);

    lua_getfield(L, sidx, "source");
    st->src_idx = lua_gettop(L);
    vt = lua_type(L, st->src_idx);
    if (vt == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, st->src_idx, &len);
        if (memchr(s, '\n', len) != NULL || memchr(s, '\r', len) != NULL) {
            st->src_kind = SRC_DATA; /* the CSV itself */
            st->data = s;
            st->data_len = len;
        } else {
            struct stat sb;
            char msg[512];
            st->in = len && strlen(s) == len ? fopen(s, "rb") : NULL;
            if (st->in == NULL || fstat(fileno(st->in), &sb) != 0 || !S_ISREG(sb.st_mode)) {
                snprintf(msg, sizeof msg,
                         "source: must name an existing file (got '%.300s'; a string with a line break is sent "
                         "as the CSV itself)",
                         s);
                lua_pushnil(L);
                akl_push_validation(L, "source", "must name an existing file", msg);
                return -1;
            }
            st->src_kind = SRC_PATH;
            st->data_len = (size_t)sb.st_size;
        }
    } else if (vt == LUA_TFUNCTION) {
        st->src_kind = SRC_ITER;
    } else if (has_method(L, st->src_idx, "read")) {
        st->src_kind = SRC_OBJECT;
    } else if (vt == LUA_TTABLE) {
        size_t i, n = akc_rawlen(L, st->src_idx);
        lstream probe;
        memset(&probe, 0, sizeof probe);
        for (i = 1; i <= n; i++) { /* an array of ids: every id checked before sending */
            lua_rawgeti(L, st->src_idx, (int)i);
            probe.next_id = (lua_Integer)i - 1;
            if (!append_id(&probe, L, -1)) {
                free(probe.buf);
                lua_pop(L, 1);
                lua_pushnil(L);
                akl_push_validation(L, probe.field, probe.rule, probe.msg);
                return -1;
            }
            lua_pop(L, 1);
            probe.buf_len = 0;
        }
        free(probe.buf);
        st->src_kind = SRC_ARRAY;
    } else if (vt != LUA_TNIL) {
        lua_pushnil(L);
        akl_push_validation(
            L, "source", "must be a path, a string, a file handle, an iterator function or an array of ids",
            "source: must be a path, a CSV string, a file handle, an iterator function or an array of ids");
        return -1;
    }
    return 0;
}

/* The error of a failed streamed call: the sink's/reader's own failure wins over the core's
 * "abandoned by the body sink/source". */
static void push_stream_error(lua_State *L, lstream *st, const ak_error *core_err, const char *op) {
    ak_error e = AK_ERROR_INIT;
    if (st->fail == FAIL_VALIDATION) {
        akl_push_validation(L, st->field, st->rule, st->msg);
        return;
    }
    e.kind = AK_ERR_TRANSPORT;
    snprintf(e.message, sizeof e.message, "%s: %s", op, st->msg);
    if (core_err != NULL)
        e.http_status = core_err->http_status;
    akl_push_error(L, &e);
    if (!lua_isnil(L, st->err_idx)) {
        lua_pushvalue(L, st->err_idx);
        lua_setfield(L, -2, "cause"); /* the Lua error value itself */
    }
}

/* ---- CsvRows: the rows of a spooled export, parsed lazily (header-aware, RFC 4180 quoting) */

typedef struct lrows {
    FILE *f; /* owned: the spool */
    char *buf;
    size_t len, off;
    char *fld; /* the field being read */
    size_t flen, fcap;
    lua_Integer bytes;
    int started, eof, skip_lf;
} lrows;

static lrows *check_rows(lua_State *L, int idx) { return (lrows *)luaL_checkudata(L, idx, ROWS_MT); }

static int rows_close(lua_State *L) {
    lrows *r = check_rows(L, 1);
    if (r->f != NULL) {
        fclose(r->f);
        r->f = NULL;
    }
    free(r->buf);
    r->buf = NULL;
    free(r->fld);
    r->fld = NULL;
    r->fcap = r->flen = 0;
    return 0;
}

/* the next byte, EOF at the end, -2 on a read error */
static int rows_getc(lrows *r) {
    if (r->off >= r->len) {
        if (r->eof)
            return EOF;
        r->len = fread(r->buf, 1, STREAM_BUF, r->f);
        r->off = 0;
        if (r->len == 0) {
            r->eof = 1;
            return ferror(r->f) ? -2 : EOF;
        }
        if (!r->started) {
            r->started = 1;
            if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
                r->off = 3; /* a UTF-8 BOM */
            if (r->off >= r->len)
                return rows_getc(r);
        }
    }
    return (unsigned char)r->buf[r->off++];
}

static void rows_addc(lua_State *L, lrows *r, int c) {
    if (r->flen + 1 > r->fcap) {
        size_t cap = r->fcap ? r->fcap * 2 : 256;
        char *nf = (char *)realloc(r->fld, cap);
        if (nf == NULL) {
            luaL_error(L, "audkit: out of memory");
            return;
        }
        r->fld = nf;
        r->fcap = cap;
    }
    r->fld[r->flen++] = (char)c;
}

/* Pushes the next record as an array of strings; returns its field count, 0 at the end
 * (nothing pushed), -1 on a read error (nothing pushed). *blank: a line with nothing on it. */
static int rows_record(lua_State *L, lrows *r, int *blank) {
    enum { START, PLAIN, QUOTED, QUOTE_IN } s = START;
    int n = 0, quoted = 0, any = 0;
    lua_newtable(L);
    r->flen = 0;
    for (;;) {
        int c = rows_getc(r);
        if (c == -2) {
            lua_pop(L, 1);
            return -1;
        }
        if (r->skip_lf) {
            r->skip_lf = 0;
            if (c == '\n')
                continue;
        }
        if (c == EOF) {
            if (!any) {
                lua_pop(L, 1);
                return 0;
            }
            break;
        }
        any = 1;
        if (s == QUOTED) {
            if (c == '"')
                s = QUOTE_IN;
            else
                rows_addc(L, r, c);
            continue;
        }
        if (s == QUOTE_IN && c == '"') { /* "" inside quotes */
            rows_addc(L, r, c);
            s = QUOTED;
            continue;
        }
        if (c == ',') {
            lua_pushlstring(L, r->fld ? r->fld : "", r->flen);
            lua_rawseti(L, -2, ++n);
            r->flen = 0;
            s = START;
            continue;
        }
        if (c == '\r' || c == '\n') {
            r->skip_lf = c == '\r';
            break;
        }
        if (s == START && c == '"') {
            s = QUOTED;
            quoted = 1;
            continue;
        }
        rows_addc(L, r, c);
        s = PLAIN;
    }
    *blank = n == 0 && r->flen == 0 && !quoted;
    lua_pushlstring(L, r->fld ? r->fld : "", r->flen);
    lua_rawseti(L, -2, ++n);
    return n;
}

/* rows:next() -> row table (keys from the header line) | nil (the end) | nil, err */
static int rows_next(lua_State *L) {
    lrows *r = check_rows(L, 1);
    lua_settop(L, 1);
    if (r->f == NULL) {
        lua_pushnil(L);
        return 1;
    }
    for (;;) {
        int blank = 0, i, n = rows_record(L, r, &blank);
        if (n <= 0) {
            if (n < 0) {
                ak_error e = AK_ERROR_INIT;
                e.kind = AK_ERR_TRANSPORT;
                snprintf(e.message, sizeof e.message, "export rows: reading the spooled export failed");
                rows_close(L);
                return akl_return_error(L, &e);
            }
            rows_close(L);
            lua_pushnil(L);
            return 1;
        }
        if (blank) {
            lua_pop(L, 1);
            continue;
        }
        akc_getuservalue(L, 1);
        if (lua_isnil(L, -1)) { /* the header line */
            lua_pop(L, 1);
            akc_setuservalue(L, 1);
            continue;
        }
        lua_createtable(L, 0, n); /* fields(2) header(3) row(4) */
        for (i = 1; i <= n; i++) {
            lua_rawgeti(L, 3, i);
            if (lua_isnil(L, -1)) { /* more fields than the header: kept by position */
                lua_pop(L, 1);
                lua_pushinteger(L, i);
            }
            lua_rawgeti(L, 2, i);
            lua_rawset(L, 4);
        }
        return 1;
    }
}

/* rows() for a generic for: a row, nil at the end; raises on a read error */
static int rows_call(lua_State *L) {
    lua_settop(L, 1);
    if (rows_next(L) == 2)
        return lua_error(L);
    return 1;
}

static int rows_bytes(lua_State *L) {
    lua_pushinteger(L, check_rows(L, 1)->bytes);
    return 1;
}

static int rows_tostring(lua_State *L) {
    lrows *r = check_rows(L, 1);
    lua_pushstring(L, r->f ? "audkit.CsvRows" : "audkit.CsvRows (closed)");
    return 1;
}

/* Hands the spool of `st` over to a new CsvRows (pushed). */
static void push_rows(lua_State *L, lstream *st, lua_Integer bytes) {
    lrows *r = (lrows *)akc_newuserdata(L, sizeof *r);
    memset(r, 0, sizeof *r);
    akc_setmetatable(L, ROWS_MT);
    lua_pushnil(L); /* the header line, once read */
    akc_setuservalue(L, -2);
    r->bytes = bytes;
    r->f = st->out; /* owned by the rows from here (closed by close/__gc) */
    st->out = NULL;
    rewind(r->f);
    r->buf = (char *)malloc(STREAM_BUF);
    if (r->buf == NULL)
        luaL_error(L, "audkit: out of memory");
}

/* client:call(...) with a stream table at index 5: runs the streamed call. */
int akl_client_call_stream(lua_State *L, ak_client *c, const char *op, const ak_call_options *opt) {
    ak_json *params = NULL;
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    lstream *st = NULL;
    int rc;
    if (stream_setup(L, 5, &st) < 0) {
        stream_finish(st, 0);
        return 2;
    }
    if (akl_opt_params(L, 3, &params) < 0) {
        stream_finish(st, 0);
        return 2;
    }
    if (ak_call_new(&call, c, op, params, &err) != AK_OK || ak_call_set_options(call, opt, &err) != AK_OK) {
        ak_call_free(call);
        cJSON_Delete(params);
        stream_finish(st, 0);
        akl_return_error(L, &err);
        ak_error_cleanup(&err);
        return 2;
    }
    if (st->dest_kind != DEST_NONE)
        ak_call_set_body_sink(call, stream_sink, st);
    if (st->src_kind != SRC_NONE)
        ak_call_set_body_reader(call, stream_reader, st,
                                st->src_kind == SRC_PATH || st->src_kind == SRC_DATA ? (int64_t)st->data_len : -1);
    rc = ak_drive_call(c, call, NULL, &err);
    if (rc != AK_OK || st->fail != FAIL_NONE) {
        const char *name = ak_call_op(call) && ak_call_op(call)->name ? ak_call_op(call)->name : op;
        stream_finish(st, 0);
        if (st->fail != FAIL_NONE) {
            lua_pushnil(L);
            push_stream_error(L, st, &err, name);
        } else {
            if (err.kind == AK_ERR_NONE)
                err.kind = AK_ERR_TRANSPORT;
            akl_return_error(L, &err);
        }
        ak_call_free(call);
        cJSON_Delete(params);
        ak_error_cleanup(&err);
        return 2;
    }
    if (st->dest_kind == DEST_PATH) {
        int bad;
        if (st->out == NULL) /* an empty body: still an (empty) file */
            st->out = fopen(st->out_path, "wb");
        bad = st->out == NULL || fclose(st->out) != 0;
        st->out = NULL;
        if (bad) {
            remove(st->out_path);
            stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "dest: writing the file failed: %s", strerror(errno));
        }
    }
    if (st->fail != FAIL_NONE) {
        stream_finish(st, 0);
        lua_pushnil(L);
        push_stream_error(L, st, NULL, op);
        ak_call_free(call);
        cJSON_Delete(params);
        ak_error_cleanup(&err);
        return 2;
    }
    if (st->dest_kind == DEST_SPOOL) {
        lua_Integer bytes = (lua_Integer)ak_call_streamed_bytes(call);
        ak_call_free(call);
        cJSON_Delete(params);
        ak_error_cleanup(&err);
        push_rows(L, st, bytes); /* takes the spool */
        stream_finish(st, 1);
        return 1;
    }
    akl_push_json_or_empty(L, ak_call_result(call));
    stream_finish(st, 1);
    ak_call_free(call);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    return 1;
}

const luaL_Reg akl_rows_methods[] = {{"next", rows_next}, {"close", rows_close}, {"bytes", rows_bytes}, {NULL, NULL}};

const luaL_Reg akl_rows_meta[] = {
    {"__gc", rows_close}, {"__close", rows_close}, {"__call", rows_call}, {"__tostring", rows_tostring}, {NULL, NULL}};

const luaL_Reg akl_stream_meta[] = {{"__gc", stream_gc}, {NULL, NULL}};

/* python/src/json_conv.c - Python values <-> cJSON trees (exact integers beyond 2^53 as the core's
 * raw digits nodes; bad values are ValidationErrors naming the path). See binding.h. */
#include "binding.h"

#include "internal.h" /* ak_json_new_string, ak_json_add_member: nodes built as the core parser builds them */

/* The path is kept for error messages; it is built with plain copies (snprintf per key and per
 * array element cost more than converting the value). A path too long for the buffer is cut. */
static void path_put(pathbuf *p, const char *s, size_t n) {
    size_t room = sizeof p->s - 1 - p->len;
    if (n > room)
        n = room;
    memcpy(p->s + p->len, s, n);
    p->len += n;
    p->s[p->len] = '\0';
}

static size_t path_push_key(pathbuf *p, const char *key, size_t klen) {
    size_t old = p->len;
    if (p->len)
        path_put(p, ".", 1);
    path_put(p, key, klen);
    return old;
}

static size_t path_push_index(pathbuf *p, Py_ssize_t i) {
    size_t old = p->len;
    char tmp[24], *e = tmp + sizeof tmp, *q = e;
    *--q = ']';
    size_t u = (size_t)i;
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    *--q = '[';
    path_put(p, q, (size_t)(e - q));
    return old;
}

static void path_pop(pathbuf *p, size_t old) {
    p->len = old;
    p->s[old] = '\0';
}

static cJSON *nomem_json(void) {
    PyErr_NoMemory();
    return NULL;
}

static cJSON *or_nomem(cJSON *c) { return c ? c : nomem_json(); }

static int add_item(cJSON *arr_or_obj, const char *key, cJSON *item) {
    if (key ? !cJSON_AddItemToObject(arr_or_obj, key, item) : !cJSON_AddItemToArray(arr_or_obj, item)) {
        cJSON_Delete(item);
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* One member: `k` must be a str without NUL characters. */
static int member_to_json(cJSON *obj, PyObject *k, PyObject *v, pathbuf *path, int depth) {
    if (!PyUnicode_Check(k)) {
        PyErr_Format(PyExc_TypeError, "%s%skeys of parameter objects must be str, not %.100s", path->len ? path->s : "",
                     path->len ? ": " : "", Py_TYPE(k)->tp_name);
        return -1;
    }
    Py_ssize_t klen;
    const char *ks = PyUnicode_AsUTF8AndSize(k, &klen);
    if (!ks)
        return -1;
    if ((size_t)klen != strlen(ks)) {
        akpy_raise_validation(path->s, "keys must not contain NUL characters");
        return -1;
    }
    size_t old = path_push_key(path, ks, (size_t)klen);
    cJSON *c = akpy_py_to_json(v, path, depth + 1);
    path_pop(path, old);
    if (!c)
        return -1;
    if (!ak_json_add_member(obj, ks, (size_t)klen, c)) { /* a known key is not copied */
        cJSON_Delete(c);
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static cJSON *mapping_to_json(PyObject *o, pathbuf *path, int depth) {
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return nomem_json();
    if (PyDict_CheckExact(o)) { /* no list of pairs: walk the dict (the values are not Python code) */
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(o, &pos, &k, &v)) {
            Py_INCREF(k);
            Py_INCREF(v);
            int rc = member_to_json(obj, k, v, path, depth);
            Py_DECREF(k);
            Py_DECREF(v);
            if (rc < 0)
                goto fail;
        }
        return obj;
    }
    PyObject *items = PyDict_Check(o) ? PyDict_Items(o) : PyMapping_Items(o);
    if (!items)
        goto fail;
    Py_ssize_t n = PyList_GET_SIZE(items);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *kv = PyList_GET_ITEM(items, i);
        if (member_to_json(obj, PyTuple_GET_ITEM(kv, 0), PyTuple_GET_ITEM(kv, 1), path, depth) < 0) {
            Py_DECREF(items);
            goto fail;
        }
    }
    Py_DECREF(items);
    return obj;
fail:
    cJSON_Delete(obj);
    return NULL;
}

static cJSON *iterable_to_json(PyObject *o, pathbuf *path, int depth) {
    if (PyList_CheckExact(o) || PyTuple_CheckExact(o)) { /* by index: no iterator object */
        cJSON *arr = cJSON_CreateArray();
        if (!arr)
            return nomem_json();
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(o); i++) {
            PyObject *v = PySequence_Fast_GET_ITEM(o, i);
            Py_INCREF(v); /* a list may shrink under a converter that runs Python code */
            size_t old = path_push_index(path, i);
            cJSON *c = akpy_py_to_json(v, path, depth + 1);
            path_pop(path, old);
            Py_DECREF(v);
            if (!c || add_item(arr, NULL, c) < 0) {
                cJSON_Delete(arr);
                return NULL;
            }
        }
        return arr;
    }
    PyObject *it = PyObject_GetIter(o);
    if (!it)
        return NULL;
    cJSON *arr = cJSON_CreateArray();
    if (!arr) {
        Py_DECREF(it);
        return nomem_json();
    }
    PyObject *v;
    Py_ssize_t i = 0;
    while ((v = PyIter_Next(it)) != NULL) {
        size_t old = path_push_index(path, i++);
        cJSON *c = akpy_py_to_json(v, path, depth + 1);
        path_pop(path, old);
        Py_DECREF(v);
        if (!c || add_item(arr, NULL, c) < 0)
            goto fail;
    }
    if (PyErr_Occurred())
        goto fail;
    Py_DECREF(it);
    return arr;
fail:
    Py_DECREF(it);
    cJSON_Delete(arr);
    return NULL;
}

cJSON *akpy_py_to_json(PyObject *o, pathbuf *path, int depth) {
    if (depth > AKPY_MAX_DEPTH)
        return (cJSON *)akpy_raise_validation(path->s, "nested too deeply");
    if (o == Py_None)
        return or_nomem(cJSON_CreateNull());
    if (PyBool_Check(o))
        return or_nomem(cJSON_CreateBool(o == Py_True));
    if (PyLong_Check(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (v == -1 && PyErr_Occurred())
            return NULL;
        if (overflow)
            return (cJSON *)akpy_raise_validation(path->s, "integer beyond the int64 range");
        if (v < -((1LL << 53) - 1) || v > (1LL << 53) - 1) {
            /* beyond 2^53 - 1 a double may round: the core keeps exact digits in a raw node */
            char digits[32];
            snprintf(digits, sizeof digits, "%lld", v);
            return or_nomem(cJSON_CreateRaw(digits));
        }
        return or_nomem(cJSON_CreateNumber((double)v));
    }
    if (PyFloat_Check(o)) {
        double d = PyFloat_AS_DOUBLE(o);
        if (!isfinite(d))
            return (cJSON *)akpy_raise_validation(path->s, "must be a finite number");
        return or_nomem(cJSON_CreateNumber(d));
    }
    if (PyUnicode_Check(o)) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(o, &n);
        if (!s) {
            if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
                return NULL;
            PyErr_Clear(); /* a lone surrogate: not encodable, so not sendable */
            return (cJSON *)akpy_raise_validation(path->len ? path->s : "value",
                                                  "must be valid Unicode text (no lone surrogates)");
        }
        if ((size_t)n != strlen(s))
            return (cJSON *)akpy_raise_validation(path->s, "must not contain NUL characters");
        return or_nomem(ak_json_new_string(s, (size_t)n)); /* node and text: one allocation */
    }
    if (PyDict_Check(o))
        return mapping_to_json(o, path, depth);
    if (PyList_Check(o) || PyTuple_Check(o))
        return iterable_to_json(o, path, depth);
    if (PyBytes_Check(o) || PyByteArray_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s%sbytes are not a JSON value (decode them to str)", path->len ? path->s : "",
                     path->len ? ": " : "");
        return NULL;
    }
    /* models (anything with to_dict), other mappings, other iterables (sets, generators) */
    if (PyObject_HasAttrString(o, "to_dict")) {
        PyObject *d = PyObject_CallMethod(o, "to_dict", NULL);
        if (!d)
            return NULL;
        cJSON *c = akpy_py_to_json(d, path, depth + 1);
        Py_DECREF(d);
        return c;
    }
    if (PyMapping_Check(o) && PyObject_HasAttrString(o, "items"))
        return mapping_to_json(o, path, depth);
    if (PyIndex_Check(o)) { /* e.g. numpy integers, IntEnum */
        PyObject *i = PyNumber_Index(o);
        if (!i)
            return NULL;
        cJSON *c = akpy_py_to_json(i, path, depth);
        Py_DECREF(i);
        return c;
    }
    if (PyFloat_Check(o) == 0 && PyNumber_Check(o) && !PySequence_Check(o)) {
        PyObject *f = PyNumber_Float(o);
        if (!f)
            return NULL;
        cJSON *c = akpy_py_to_json(f, path, depth);
        Py_DECREF(f);
        return c;
    }
    PyObject *it = PyObject_GetIter(o);
    if (it) {
        Py_DECREF(it);
        return iterable_to_json(o, path, depth);
    }
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "%s%s%.100s is not a JSON value", path->len ? path->s : "", path->len ? ": " : "",
                 Py_TYPE(o)->tp_name);
    return NULL;
}

/* Converts the `params` argument (None or a mapping) to an owned cJSON object (NULL for None). */
int akpy_params_to_json(PyObject *params, cJSON **out) {
    *out = NULL;
    if (!params || params == Py_None)
        return 0;
    pathbuf path = {{0}, 0};
    cJSON *c = akpy_py_to_json(params, &path, 0);
    if (!c)
        return -1;
    if (!cJSON_IsObject(c)) {
        cJSON_Delete(c);
        PyErr_SetString(PyExc_TypeError, "params must be a mapping");
        return -1;
    }
    *out = c;
    return 0;
}

/* A raw node of the core holding an exact integer: "-?[0-9]+". */
static int raw_is_digits(const char *s) {
    const char *p = s + (*s == '-');
    return *p && strspn(p, "0123456789") == strlen(p);
}

PyObject *akpy_json_to_py(const cJSON *j, int depth) {
    if (!j)
        Py_RETURN_NONE;
    if (depth > AKPY_MAX_DEPTH * 4) {
        PyErr_SetString(PyExc_RecursionError, "JSON nested too deeply");
        return NULL;
    }
    if (cJSON_IsNull(j) || cJSON_IsInvalid(j))
        Py_RETURN_NONE;
    if (cJSON_IsTrue(j))
        Py_RETURN_TRUE;
    if (cJSON_IsFalse(j))
        Py_RETURN_FALSE;
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble; /* never valueint: it is a 32-bit int */
        if (isfinite(d) && floor(d) == d && fabs(d) <= AKPY_MAX_SAFE_INT)
            return PyLong_FromLongLong((long long)d);
        return PyFloat_FromDouble(d);
    }
    if (cJSON_IsString(j))
        return PyUnicode_DecodeUTF8(j->valuestring, (Py_ssize_t)strlen(j->valuestring), "replace");
    if (cJSON_IsRaw(j) && j->valuestring && raw_is_digits(j->valuestring))
        return PyLong_FromString(j->valuestring, NULL, 10); /* an exact integer beyond 2^53 */
    if (cJSON_IsRaw(j))
        return PyUnicode_DecodeUTF8(j->valuestring ? j->valuestring : "",
                                    j->valuestring ? (Py_ssize_t)strlen(j->valuestring) : 0, "replace");
    if (cJSON_IsArray(j)) {
        PyObject *list = PyList_New(0);
        if (!list)
            return NULL;
        for (const cJSON *c = j->child; c; c = c->next) {
            PyObject *v = akpy_json_to_py(c, depth + 1);
            if (!v || PyList_Append(list, v) < 0) {
                Py_XDECREF(v);
                Py_DECREF(list);
                return NULL;
            }
            Py_DECREF(v);
        }
        return list;
    }
    if (cJSON_IsObject(j)) {
        PyObject *d = PyDict_New();
        if (!d)
            return NULL;
        for (const cJSON *c = j->child; c; c = c->next) {
            PyObject *v = akpy_json_to_py(c, depth + 1);
            if (!v || PyDict_SetItemString(d, c->string ? c->string : "", v) < 0) {
                Py_XDECREF(v);
                Py_DECREF(d);
                return NULL;
            }
            Py_DECREF(v);
        }
        return d;
    }
    Py_RETURN_NONE;
}

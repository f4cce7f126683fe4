/* python/src/stream.c - streamed bodies: `sink=` and `source=` of Client.call. See binding.h. */
#include "binding.h"

/* ---- streamed bodies (issue 8): `sink=` receives a streamed result's chunks (a callable taking
 * bytes), `source=` is an iterator of bytes pulled as the upload is sent. Both run from the
 * transport's callbacks while the GIL is released around the transfer: they take it back only
 * for the Python call. An exception they raise abandons the transfer and is re-raised. */
static void stream_keep_exc(stream_state *st) {
    if (!st->exc_type)
        PyErr_Fetch(&st->exc_type, &st->exc, &st->exc_tb);
    else
        PyErr_Clear();
}

int akpy_stream_sink(void *ud, const char *data, size_t len) {
    stream_state *st = ud;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(st->sink, "y#", data, (Py_ssize_t)len);
    int stop = r == NULL;
    if (stop)
        stream_keep_exc(st);
    Py_XDECREF(r);
    PyGILState_Release(g);
    return stop;
}

int64_t akpy_stream_reader(void *ud, char *dst, size_t cap) {
    stream_state *st = ud;
    PyGILState_STATE g = PyGILState_Ensure();
    int64_t out = 0;
    while (!st->pending || st->off >= PyBytes_GET_SIZE(st->pending)) {
        Py_CLEAR(st->pending);
        st->off = 0;
        PyObject *x = PyIter_Next(st->it);
        if (!x) {
            if (PyErr_Occurred()) {
                stream_keep_exc(st);
                out = -1;
            }
            goto done;
        }
        if (!PyBytes_Check(x)) {
            Py_DECREF(x);
            PyErr_SetString(PyExc_TypeError, "source chunks must be bytes");
            stream_keep_exc(st);
            out = -1;
            goto done;
        }
        st->pending = x;
    }
    Py_ssize_t left = PyBytes_GET_SIZE(st->pending) - st->off;
    size_t k = (size_t)left < cap ? (size_t)left : cap;
    memcpy(dst, PyBytes_AS_STRING(st->pending) + st->off, k);
    st->off += (Py_ssize_t)k;
    out = (int64_t)k;
done:
    PyGILState_Release(g);
    return out;
}

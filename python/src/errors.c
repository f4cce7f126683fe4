/* python/src/errors.c - ak_error values become audkit.errors exceptions (built by the pure-Python
 * audkit.errors._make / _validation, imported on first use). See binding.h. */
#include "binding.h"

static PyObject *errors_make;       /* audkit.errors._make */
static PyObject *errors_validation; /* audkit.errors._validation */

static int load_errors(void) {
    if (errors_make && errors_validation)
        return 0;
    PyObject *mod = PyImport_ImportModule("audkit.errors");
    if (!mod)
        return -1;
    PyObject *mk = PyObject_GetAttrString(mod, "_make");
    PyObject *va = mk ? PyObject_GetAttrString(mod, "_validation") : NULL;
    Py_DECREF(mod);
    if (!mk || !va) {
        Py_XDECREF(mk);
        Py_XDECREF(va);
        return -1;
    }
    Py_XSETREF(errors_make, mk);
    Py_XSETREF(errors_validation, va);
    return 0;
}

/* Raises the exception matching an ak_error. Always returns NULL. */
PyObject *akpy_raise_ak_error(const ak_error *err) {
    if (err->kind == AK_ERR_NOMEM)
        return PyErr_NoMemory();
    if (load_errors() < 0)
        return NULL;
    PyObject *viol = PyList_New(0);
    if (!viol)
        return NULL;
    for (size_t i = 0; i < err->nviolations && err->violations; i++) {
        PyObject *t = Py_BuildValue("(ss)", err->violations[i].field, err->violations[i].rule);
        if (!t || PyList_Append(viol, t) < 0) {
            Py_XDECREF(t);
            Py_DECREF(viol);
            return NULL;
        }
        Py_DECREF(t);
    }
    if (err->kind == AK_ERR_VALIDATION && PyList_GET_SIZE(viol) == 0 && err->field[0]) {
        PyObject *t = Py_BuildValue("(ss)", err->field, err->rule[0] ? err->rule : err->message);
        if (!t || PyList_Append(viol, t) < 0) {
            Py_XDECREF(t);
            Py_DECREF(viol);
            return NULL;
        }
        Py_DECREF(t);
    }
    PyObject *exc = PyObject_CallFunction(errors_make, "siisssssOi", ak_error_kind_name(err->kind), err->retryable,
                                          err->http_status, err->vendor_code, err->message, err->request_id, err->field,
                                          err->rule, viol, err->maybe_applied);
    Py_DECREF(viol);
    if (!exc)
        return NULL;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

PyObject *akpy_raise_validation(const char *field, const char *rule) {
    if (load_errors() < 0)
        return NULL;
    PyObject *exc = PyObject_CallFunction(errors_validation, "ss", field && field[0] ? field : "<value>", rule);
    if (!exc)
        return NULL;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

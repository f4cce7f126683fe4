/* opmethod.c - _core.OpMethod: the method of one plain call operation
 * (client.custom_audiences.add), with its common case in C.
 *
 * audkit/_client.py builds each operation's method as a Python function (binding positional
 * arguments, per-call options, progress, logging, shaping). An OpMethod wraps that function: a
 * call with keyword arguments only, none of them a per-call option or progress, every name a
 * request field (when the client validates), and DEBUG logging off, goes straight from the
 * vectorcall to the native Client.call, with no Python frame, no argument tuple and no
 * PyArg_Parse; every other call is handed to the Python function unchanged, which stays the one
 * definition of the behaviour (the fast path does what it does for these arguments).
 *
 * Introspection goes to the Python function: __doc__, __name__, __qualname__, __module__ and
 * __wrapped__ (inspect.signature follows it). As a method descriptor it binds like a function. */
#include "binding.h"

typedef struct {
    PyObject_HEAD vectorcallfunc vectorcall;
    PyObject *fallback; /* the Python implementation: every call the fast path does not take */
    PyObject *op;       /* the _Op: lazy_model() once, shape() for results that are not models */
    PyObject *name;     /* str: the op name */
    PyObject *known;    /* frozenset of keyword names bound without a check, or None: any name */
    PyObject *reserved; /* frozenset of keyword names only the Python path handles */
    PyObject *logger;   /* logging.Logger: DEBUG on sends every call the Python way (it logs) */
    PyObject *on_error; /* callable(op, params, exc): attaches a batch result to an audkit error */
    PyObject *model;    /* op.lazy_model(), fetched at the first fast call (NULL before) */
    int on_client;      /* bound to the client itself (else to a resource with a _client) */
} OpMethodObject;

static PyObject *str_client, *str_native, *str_validate, *str_cache, *str_is_enabled, *str_lazy_model, *str_shape,
    *int_debug;

/* True when the logger would log DEBUG: logging's own per-level cache when it has the answer. */
static int debug_enabled(PyObject *logger) {
    PyObject *cache = PyObject_GetAttr(logger, str_cache);
    if (cache && PyDict_Check(cache)) {
        PyObject *v = PyDict_GetItemWithError(cache, int_debug); /* borrowed */
        if (v) {
            int r = PyObject_IsTrue(v);
            Py_DECREF(cache);
            return r;
        }
    }
    Py_XDECREF(cache);
    PyErr_Clear();
    PyObject *r = PyObject_CallMethodOneArg(logger, str_is_enabled, int_debug);
    if (!r)
        return -1;
    int t = PyObject_IsTrue(r);
    Py_DECREF(r);
    return t;
}

static PyObject *call_fallback(OpMethodObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    return PyObject_Vectorcall(self->fallback, args, nargsf, kwnames);
}

static PyObject *OpMethod_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    OpMethodObject *self = (OpMethodObject *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs != 1) /* positional parameters (or an unbound call): the Python path binds them */
        return call_fallback(self, args, nargsf, kwnames);
    for (Py_ssize_t i = 0; i < nkw; i++) {
        int r = PySet_Contains(self->reserved, PyTuple_GET_ITEM(kwnames, i));
        if (r != 0)
            return r < 0 ? NULL : call_fallback(self, args, nargsf, kwnames);
    }
    int dbg = debug_enabled(self->logger);
    if (dbg != 0)
        return dbg < 0 ? NULL : call_fallback(self, args, nargsf, kwnames);
    PyObject *client = self->on_client ? Py_NewRef(args[0]) : PyObject_GetAttr(args[0], str_client);
    if (!client)
        return NULL;
    PyObject *native = PyObject_GetAttr(client, str_native);
    PyObject *validate = native ? PyObject_GetAttr(client, str_validate) : NULL;
    Py_DECREF(client);
    if (!validate) {
        Py_XDECREF(native);
        return NULL;
    }
    int strict = PyObject_IsTrue(validate);
    Py_DECREF(validate);
    if (strict < 0 || !PyObject_TypeCheck(native, akpy_client_type)) {
        Py_DECREF(native);
        return strict < 0 ? NULL : call_fallback(self, args, nargsf, kwnames);
    }
    PyObject *params = PyDict_New();
    if (!params) {
        Py_DECREF(native);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *k = PyTuple_GET_ITEM(kwnames, i), *v = args[nargs + i];
        if (v == Py_None)
            continue; /* None means "not given" */
        int known = strict && self->known != Py_None ? PySet_Contains(self->known, k) : 1;
        if (known <= 0 || PyDict_SetItem(params, k, v) < 0) {
            Py_DECREF(params);
            Py_DECREF(native);
            /* an unknown name: the Python path raises the TypeError that lists the known ones */
            return known == 0 ? call_fallback(self, args, nargsf, kwnames) : NULL;
        }
    }
    if (!self->model && !(self->model = PyObject_CallMethodNoArgs(self->op, str_lazy_model))) {
        Py_DECREF(params);
        Py_DECREF(native);
        return NULL;
    }
    const char *opname = PyUnicode_AsUTF8(self->name);
    PyObject *raw = opname ? akpy_client_call((ClientObject *)native, opname, params, Py_None, Py_None, Py_None, -1,
                                              Py_None, self->model)
                           : NULL;
    Py_DECREF(native);
    if (!raw) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        PyObject *r = v ? PyObject_CallFunctionObjArgs(self->on_error, self->op, params, v, NULL) : NULL;
        if (!r)
            PyErr_Clear(); /* the call's own exception is what the caller sees */
        Py_XDECREF(r);
        PyErr_Restore(t, v, tb);
        Py_DECREF(params);
        return NULL;
    }
    Py_DECREF(params);
    if (PyObject_TypeCheck(raw, akpy_lazy_type))
        return raw; /* a lazy model of the result: what shape() returns for it */
    PyObject *out = PyObject_CallMethodOneArg(self->op, str_shape, raw);
    Py_DECREF(raw);
    return out;
}

static PyObject *OpMethod_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"fallback", "op", "name", "on_client", "known", "reserved", "logger", "on_error", NULL};
    PyObject *fallback, *op, *name, *known, *reserved, *logger, *on_error;
    int on_client;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOUpOO!OO:OpMethod", kwlist, &fallback, &op, &name, &on_client,
                                     &known, &PyFrozenSet_Type, &reserved, &logger, &on_error))
        return NULL;
    if (!PyCallable_Check(fallback) || !PyCallable_Check(on_error)) {
        PyErr_SetString(PyExc_TypeError, "OpMethod: fallback and on_error must be callable");
        return NULL;
    }
    if (known != Py_None && !PyFrozenSet_Check(known)) {
        PyErr_SetString(PyExc_TypeError, "OpMethod: known must be a frozenset or None");
        return NULL;
    }
    OpMethodObject *self = (OpMethodObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->vectorcall = OpMethod_vectorcall;
    self->fallback = Py_NewRef(fallback);
    self->op = Py_NewRef(op);
    self->name = Py_NewRef(name);
    self->known = Py_NewRef(known);
    self->reserved = Py_NewRef(reserved);
    self->logger = Py_NewRef(logger);
    self->on_error = Py_NewRef(on_error);
    self->on_client = on_client;
    return (PyObject *)self;
}

static int OpMethod_traverse(OpMethodObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->fallback);
    Py_VISIT(self->op);
    Py_VISIT(self->name);
    Py_VISIT(self->known);
    Py_VISIT(self->reserved);
    Py_VISIT(self->logger);
    Py_VISIT(self->on_error);
    Py_VISIT(self->model);
    return 0;
}

static int OpMethod_clear(OpMethodObject *self) {
    Py_CLEAR(self->fallback);
    Py_CLEAR(self->op);
    Py_CLEAR(self->name);
    Py_CLEAR(self->known);
    Py_CLEAR(self->reserved);
    Py_CLEAR(self->logger);
    Py_CLEAR(self->on_error);
    Py_CLEAR(self->model);
    return 0;
}

static void OpMethod_dealloc(OpMethodObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    OpMethod_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* A method descriptor: bound to the instance it is read from, itself when read from the class. */
static PyObject *OpMethod_get(PyObject *self, PyObject *obj, PyObject *type) {
    (void)type;
    if (!obj || obj == Py_None)
        return Py_NewRef(self);
    return PyMethod_New(self, obj);
}

/* The Python function's attributes stand for the method's own. */
static PyObject *OpMethod_getattro(PyObject *self, PyObject *name) {
    static const char *const delegated[] = {"__doc__",        "__name__",        "__qualname__",
                                            "__module__",     "__wrapped__",     "__defaults__",
                                            "__kwdefaults__", "__annotations__", NULL};
    const char *n = PyUnicode_AsUTF8(name);
    if (!n)
        return NULL;
    for (int i = 0; delegated[i]; i++)
        if (strcmp(n, delegated[i]) == 0)
            return strcmp(n, "__wrapped__") == 0 ? Py_NewRef(((OpMethodObject *)self)->fallback)
                                                 : PyObject_GetAttr(((OpMethodObject *)self)->fallback, name);
    return PyObject_GenericGetAttr(self, name);
}

static PyObject *OpMethod_repr(OpMethodObject *self) {
    return PyUnicode_FromFormat("<audkit operation %U>", self->name);
}

static PyMemberDef OpMethod_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(OpMethodObject, vectorcall), READONLY, NULL},
    {"op", T_OBJECT, offsetof(OpMethodObject, op), READONLY, "the operation descriptor (_Op)"},
    {NULL, 0, 0, 0, NULL}};

static int opmethod_init_strings(void) {
    if (str_client)
        return 0;
    return (str_client = PyUnicode_InternFromString("_client")) &&
                   (str_native = PyUnicode_InternFromString("_native")) &&
                   (str_validate = PyUnicode_InternFromString("_validate")) &&
                   (str_cache = PyUnicode_InternFromString("_cache")) &&
                   (str_is_enabled = PyUnicode_InternFromString("isEnabledFor")) &&
                   (str_lazy_model = PyUnicode_InternFromString("lazy_model")) &&
                   (str_shape = PyUnicode_InternFromString("shape")) && (int_debug = PyLong_FromLong(10))
               ? 0
               : -1;
}

static PyObject *OpMethod_new_checked(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    return opmethod_init_strings() < 0 ? NULL : OpMethod_new(type, args, kwds);
}

static PyType_Slot OpMethod_slots[] = {
    {Py_tp_new, OpMethod_new_checked},
    {Py_tp_dealloc, OpMethod_dealloc},
    {Py_tp_traverse, OpMethod_traverse},
    {Py_tp_clear, OpMethod_clear},
    {Py_tp_call, PyVectorcall_Call},
    {Py_tp_descr_get, OpMethod_get},
    {Py_tp_getattro, OpMethod_getattro},
    {Py_tp_repr, OpMethod_repr},
    {Py_tp_members, OpMethod_members},
    {Py_tp_doc, "OpMethod(fallback, op, name, on_client, known, reserved, logger, on_error): the method of a plain "
                "call operation; its common case runs in C, every other call goes to fallback."},
    {0, NULL}};

PyType_Spec akpy_opmethod_spec = {"audkit._core.OpMethod", sizeof(OpMethodObject), 0,
                                  Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL |
                                      Py_TPFLAGS_METHOD_DESCRIPTOR,
                                  OpMethod_slots};

/* python/src/lazy.c - lazy models: audkit._core.Tree, LazyBase and Field. See binding.h.
 *
 * A page's decoded result (a cJSON tree taken from the pager with ak_pager_take_page) is owned
 * by a Tree object. A model over it is a LazyBase instance holding a strong reference to the
 * Tree and a borrowed pointer to its node inside it: nothing is converted until a field is read.
 * Field descriptors (one per schema field, installed on the generated model classes) convert the
 * one member they name on first access and cache non-scalar values; `_data` converts the whole
 * node (once) for equality, repr, pickling and to_dict(). A model built from Python data
 * (Model(...), unpickling) has only `_data` and is read through the descriptors' Python
 * fallback. Models outlive their pager and client: they keep only the Tree alive.
 */
#include "binding.h"

PyTypeObject *akpy_tree_type;
PyTypeObject *akpy_lazy_type;
PyTypeObject *akpy_field_type;

/* ------------------------------------------------------------------------------------------ */
/* Tree: owns one cJSON tree                                                                  */

typedef struct {
    PyObject_HEAD cJSON *root;
} TreeObject;

static void Tree_dealloc(TreeObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    cJSON_Delete(self->root);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyType_Slot Tree_slots[] = {
    {Py_tp_doc, "The decoded JSON of one page, shared by its lazy models."}, {Py_tp_dealloc, Tree_dealloc}, {0, NULL}};

PyType_Spec akpy_tree_spec = {"audkit._core.Tree", sizeof(TreeObject), 0,
                              Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, Tree_slots};

PyObject *akpy_tree_new(cJSON *root) {
    TreeObject *t = PyObject_New(TreeObject, akpy_tree_type);
    if (!t) {
        cJSON_Delete(root);
        return NULL;
    }
    t->root = root;
    return (PyObject *)t;
}

/* ------------------------------------------------------------------------------------------ */
/* LazyBase                                                                                   */

typedef struct {
    PyObject_HEAD PyObject *tree; /* TreeObject owning `node`, or NULL */
    const cJSON *node;            /* borrowed from tree */
    PyObject *data;               /* the whole value as Python data (converted or given) */
    PyObject *cache;              /* dict: field name -> converted non-scalar value */
} LazyObject;

PyObject *akpy_lazy_new(PyTypeObject *cls, PyObject *tree, const cJSON *node) {
    LazyObject *o = (LazyObject *)cls->tp_alloc(cls, 0);
    if (!o)
        return NULL;
    o->tree = Py_NewRef(tree);
    o->node = node;
    /* A view holds only its tree (no references to Python objects that could lead back to it):
     * it cannot be part of a cycle, so the collector need not track it (20,000 views per lazy
     * iteration would otherwise trigger a young-generation collection every 700). Lazy_set_data
     * tracks it again once it holds arbitrary data. */
    PyObject_GC_UnTrack(o);
    return (PyObject *)o;
}

static int Lazy_traverse(LazyObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->data);
    Py_VISIT(self->cache);
    return 0;
}

static int Lazy_clear(LazyObject *self) {
    Py_CLEAR(self->data);
    Py_CLEAR(self->cache);
    return 0;
}

static void Lazy_dealloc(LazyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Lazy_clear(self);
    Py_CLEAR(self->tree);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* The whole value as Python data (borrowed), converted once. */
static PyObject *lazy_data(LazyObject *self) {
    if (!self->data) {
        PyObject *d = self->node ? akpy_json_to_py(self->node, 0) : PyDict_New();
        if (!d)
            return NULL;
        if (!self->data) /* conversion cannot run Python code, but be safe */
            self->data = d;
        else
            Py_DECREF(d);
    }
    return self->data;
}

static PyObject *Lazy_get_data(LazyObject *self, void *Py_UNUSED(c)) {
    PyObject *d = lazy_data(self);
    return d ? Py_NewRef(d) : NULL;
}

static int Lazy_set_data(LazyObject *self, PyObject *v, void *Py_UNUSED(c)) {
    if (!v) {
        PyErr_SetString(PyExc_AttributeError, "_data cannot be deleted");
        return -1;
    }
    Py_XSETREF(self->data, Py_NewRef(v));
    if (!PyObject_GC_IsTracked((PyObject *)self))
        PyObject_GC_Track(self);
    Py_CLEAR(self->cache);
    Py_CLEAR(self->tree);
    self->node = NULL;
    return 0;
}

static PyObject *Lazy_get_lazy(LazyObject *self, void *Py_UNUSED(c)) {
    return PyBool_FromLong(self->node != NULL && self->data == NULL);
}

/* _plain() -> a new plain value (dict) converted from the tree, or None for a model built from
 * Python data (the caller deep-copies _data then). */
static PyObject *Lazy_plain(LazyObject *self, PyObject *Py_UNUSED(ignored)) {
    if (!self->node)
        Py_RETURN_NONE;
    return akpy_json_to_py(self->node, 0);
}

/* _keys() -> the member names of the page-tree object (a new list, nothing converted), or None
 * for a model built from Python data or already converted whole (the caller reads _data then). */
static PyObject *Lazy_keys(LazyObject *self, PyObject *Py_UNUSED(ignored)) {
    if (!self->node || self->data)
        Py_RETURN_NONE;
    PyObject *list = PyList_New(0);
    if (!list || !cJSON_IsObject(self->node))
        return list;
    for (const cJSON *c = self->node->child; c; c = c->next) {
        PyObject *k = c->string ? PyUnicode_FromString(c->string) : NULL;
        if (!k || PyList_Append(list, k) < 0) {
            Py_XDECREF(k);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(k);
    }
    return list;
}

/* _member(key, default) -> one member as plain data (converted from the page tree, or read from
 * _data), or `default` when the object has no such member. */
static PyObject *Lazy_member(LazyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "_member(key: str, default)");
        return NULL;
    }
    if (!self->node || self->data) {
        PyObject *d = lazy_data(self);
        if (!d)
            return NULL;
        if (!PyDict_Check(d))
            return Py_NewRef(args[1]);
        PyObject *v = PyDict_GetItemWithError(d, args[0]);
        if (!v && PyErr_Occurred())
            return NULL;
        return Py_NewRef(v ? v : args[1]);
    }
    const char *key = PyUnicode_AsUTF8(args[0]);
    if (!key)
        return NULL;
    const cJSON *v = cJSON_IsObject(self->node) ? cJSON_GetObjectItemCaseSensitive(self->node, key) : NULL;
    if (!v)
        return Py_NewRef(args[1]);
    return akpy_json_to_py(v, 0);
}

static PyGetSetDef Lazy_getset[] = {
    {"_data", (getter)Lazy_get_data, (setter)Lazy_set_data, "the whole value as plain data (wire names)", NULL},
    {"_lazy", (getter)Lazy_get_lazy, NULL, "True while nothing but single fields was converted", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMethodDef Lazy_methods[] = {
    {"_plain", (PyCFunction)Lazy_plain, METH_NOARGS, "a fresh plain copy converted from the page tree, or None"},
    {"_keys", (PyCFunction)Lazy_keys, METH_NOARGS, "the member names of the page-tree object, or None"},
    {"_member", (PyCFunction)(void (*)(void))Lazy_member, METH_FASTCALL,
     "_member(key, default): one member as plain data, or default when absent"},
    {NULL, NULL, 0, NULL}};

static PyType_Slot Lazy_slots[] = {{Py_tp_doc, "Base of audkit models: a view over a page's decoded JSON."},
                                   {Py_tp_dealloc, Lazy_dealloc},
                                   {Py_tp_traverse, Lazy_traverse},
                                   {Py_tp_clear, Lazy_clear},
                                   {Py_tp_getset, Lazy_getset},
                                   {Py_tp_methods, Lazy_methods},
                                   {Py_tp_new, PyType_GenericNew},
                                   {0, NULL}};

PyType_Spec akpy_lazy_spec = {"audkit._core.LazyBase", sizeof(LazyObject), 0,
                              Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC, Lazy_slots};

/* ------------------------------------------------------------------------------------------ */
/* Field: the descriptor of one schema field                                                  */

/* A Field is a `property` subclass (so introspection and type checkers see a read-only
 * property: fget is the Python fallback getter, doc the field's doc) with this data after the
 * property's own fields. The property layout is private to CPython, so the extra part lives at
 * PyProperty_Type.tp_basicsize (the type's basicsize is computed at module init). */
typedef struct {
    PyObject *name; /* snake_case name (str), the cache key */
    char **keys;    /* wire name first, then aliases and the snake_case name */
    Py_ssize_t nkeys;
    PyObject *resolve;  /* callable -> the model class of a nested schema, or None */
    PyObject *cls;      /* resolved model class (cached) */
    PyObject *fallback; /* callable(model) for models built from Python data */
    PyObject *doc;      /* __doc__ (property's __init__ stores a subclass's doc through it) */
} FieldExtra;

typedef PyObject FieldObject;

static FieldExtra *fx(PyObject *self) { return (FieldExtra *)((char *)self + PyProperty_Type.tp_basicsize); }

Py_ssize_t akpy_field_basicsize(void) { return PyProperty_Type.tp_basicsize + (Py_ssize_t)sizeof(FieldExtra); }

static void Field_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    FieldExtra *x = fx(self);
    for (Py_ssize_t i = 0; x->keys && i < x->nkeys; i++)
        PyMem_Free(x->keys[i]);
    PyMem_Free(x->keys);
    x->keys = NULL;
    Py_CLEAR(x->name);
    Py_CLEAR(x->resolve);
    Py_CLEAR(x->cls);
    Py_CLEAR(x->fallback);
    Py_CLEAR(x->doc);
    PyProperty_Type.tp_dealloc(self); /* untracks and frees through tp->tp_free */
    Py_DECREF(tp);
}

static int Field_traverse(PyObject *self, visitproc visit, void *arg) {
    FieldExtra *x = fx(self);
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(x->resolve);
    Py_VISIT(x->cls);
    Py_VISIT(x->fallback);
    return PyProperty_Type.tp_traverse(self, visit, arg);
}

static int Field_clear(PyObject *self) {
    FieldExtra *x = fx(self);
    Py_CLEAR(x->resolve);
    Py_CLEAR(x->cls);
    Py_CLEAR(x->fallback);
    return PyProperty_Type.tp_clear ? PyProperty_Type.tp_clear(self) : 0;
}

/* Field(name, keys, resolve, fallback, doc=None) */
static PyObject *Field_new(PyTypeObject *tp, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"name", "keys", "resolve", "fallback", "doc", NULL};
    PyObject *name, *keys, *resolve, *fallback, *doc = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "UO!OO|O:Field", kwlist, &name, &PyTuple_Type, &keys, &resolve,
                                     &fallback, &doc))
        return NULL;
    PyObject *self = tp->tp_alloc(tp, 0);
    if (!self)
        return NULL;
    FieldExtra *x = fx(self);
    /* the property part: fget = the fallback getter, the doc */
    PyObject *pargs = PyTuple_Pack(4, fallback, Py_None, Py_None, doc);
    int rc = pargs ? PyProperty_Type.tp_init(self, pargs, NULL) : -1;
    Py_XDECREF(pargs);
    if (rc < 0) {
        Py_DECREF(self);
        return NULL;
    }
    x->name = Py_NewRef(name);
    x->resolve = Py_NewRef(resolve);
    x->fallback = Py_NewRef(fallback);
    Py_ssize_t n = PyTuple_GET_SIZE(keys);
    x->keys = PyMem_Calloc((size_t)(n ? n : 1), sizeof(char *));
    if (!x->keys) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t len;
        const char *k = PyUnicode_Check(PyTuple_GET_ITEM(keys, i))
                            ? PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(keys, i), &len)
                            : NULL;
        if (!k) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "Field keys must be str");
            Py_DECREF(self);
            return NULL;
        }
        x->keys[i] = PyMem_Malloc((size_t)len + 1);
        if (!x->keys[i]) {
            Py_DECREF(self);
            return PyErr_NoMemory();
        }
        memcpy(x->keys[i], k, (size_t)len + 1);
        x->nkeys = i + 1;
    }
    return self;
}

/* everything happens in Field_new (property's own __init__ would read the arguments as fget...) */
static int Field_init(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args), PyObject *Py_UNUSED(kwds)) { return 0; }

/* The model class of the nested schema (borrowed), Py_None when the field has none. */
static PyObject *field_class(FieldExtra *self) {
    if (!self->cls) {
        PyObject *c = self->resolve == Py_None ? Py_NewRef(Py_None) : PyObject_CallNoArgs(self->resolve);
        if (!c)
            return NULL;
        if (c != Py_None && !(PyType_Check(c) && PyType_IsSubtype((PyTypeObject *)c, akpy_lazy_type))) {
            Py_DECREF(c);
            PyErr_SetString(PyExc_TypeError, "Field resolve() must return a LazyBase subclass or None");
            return NULL;
        }
        self->cls = c;
    }
    return self->cls;
}

/* The value of `j` wrapped as models of `cls` where it holds objects (lists recursively). */
static PyObject *wrap_node(PyObject *cls, PyObject *tree, const cJSON *j, int depth) {
    if (cJSON_IsObject(j))
        return akpy_lazy_new((PyTypeObject *)cls, tree, j);
    if (cJSON_IsArray(j) && depth < AKPY_MAX_DEPTH) {
        PyObject *list = PyList_New(cJSON_GetArraySize(j));
        if (!list)
            return NULL;
        Py_ssize_t i = 0;
        for (const cJSON *c = j->child; c; c = c->next, i++) {
            PyObject *v = wrap_node(cls, tree, c, depth + 1);
            if (!v) {
                Py_DECREF(list);
                return NULL;
            }
            PyList_SET_ITEM(list, i, v);
        }
        return list;
    }
    return akpy_json_to_py(j, 0);
}

static PyObject *Field_get(PyObject *fobj, PyObject *obj, PyObject *Py_UNUSED(type)) {
    if (!obj || obj == Py_None)
        return Py_NewRef(fobj);
    FieldExtra *self = fx(fobj);
    if (!PyObject_TypeCheck(obj, akpy_lazy_type)) {
        PyErr_Format(PyExc_TypeError, "audkit field %R read on a %s", self->name, Py_TYPE(obj)->tp_name);
        return NULL;
    }
    LazyObject *m = (LazyObject *)obj;
    if (!m->node || m->data) /* a model built from Python data: the generic Python getter */
        return PyObject_CallOneArg(self->fallback, obj);
    if (m->cache) {
        PyObject *hit = PyDict_GetItemWithError(m->cache, self->name);
        if (hit)
            return Py_NewRef(hit);
        if (PyErr_Occurred())
            return NULL;
    }
    const cJSON *v = NULL;
    if (cJSON_IsObject(m->node))
        for (Py_ssize_t i = 0; !v && i < self->nkeys; i++)
            v = cJSON_GetObjectItemCaseSensitive(m->node, self->keys[i]);
    if (!v || cJSON_IsNull(v))
        Py_RETURN_NONE;
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return akpy_json_to_py(v, 0); /* scalars: converted on every read, nothing to cache */
    PyObject *cls = field_class(self);
    if (!cls)
        return NULL;
    PyObject *out = cls == Py_None ? akpy_json_to_py(v, 0) : wrap_node(cls, m->tree, v, 0);
    if (!out)
        return NULL;
    if (!m->cache && !(m->cache = PyDict_New())) {
        Py_DECREF(out);
        return NULL;
    }
    if (PyDict_SetItem(m->cache, self->name, out) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyObject *Field_get_name(PyObject *self, void *Py_UNUSED(c)) { return Py_NewRef(fx(self)->name); }

static PyObject *Field_repr(PyObject *self) { return PyUnicode_FromFormat("<audkit field %U>", fx(self)->name); }

static PyObject *Field_get_doc(PyObject *self, void *Py_UNUSED(c)) {
    return Py_NewRef(fx(self)->doc ? fx(self)->doc : Py_None);
}

static int Field_set_doc(PyObject *self, PyObject *v, void *Py_UNUSED(c)) {
    Py_XSETREF(fx(self)->doc, Py_XNewRef(v));
    return 0;
}

static PyGetSetDef Field_getset[] = {{"__doc__", (getter)Field_get_doc, (setter)Field_set_doc, NULL, NULL},
                                     {"field_name", (getter)Field_get_name, NULL, "the field's snake_case name", NULL},
                                     {NULL, NULL, NULL, NULL, NULL}};

static PyType_Slot Field_slots[] = {
    {Py_tp_new, Field_new},           {Py_tp_init, Field_init},   {Py_tp_dealloc, Field_dealloc},
    {Py_tp_traverse, Field_traverse}, {Py_tp_clear, Field_clear}, {Py_tp_descr_get, Field_get},
    {Py_tp_getset, Field_getset},     {Py_tp_repr, Field_repr},   {0, NULL}};

/* basicsize is set by akpy_field_basicsize() at module init, before the type is created */
PyType_Spec akpy_field_spec = {"audkit._core.Field", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, Field_slots};

/* ------------------------------------------------------------------------------------------ */

/* The items of a taken page as a list: objects become lazy models of `cls` (a LazyBase
 * subclass), anything else plain values. `items` may be NULL (an empty list). */
PyObject *akpy_lazy_items(PyObject *cls, PyObject *tree, const cJSON *items) {
    PyObject *list = PyList_New(items ? cJSON_GetArraySize(items) : 0);
    if (!list || !items)
        return list;
    Py_ssize_t i = 0;
    for (const cJSON *c = items->child; c; c = c->next, i++) {
        PyObject *v = cJSON_IsObject(c) ? akpy_lazy_new((PyTypeObject *)cls, tree, c) : akpy_json_to_py(c, 0);
        if (!v) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, v);
    }
    return list;
}

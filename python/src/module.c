/* python/src/module.c - the module audkit._core: describe(), version(), to_json() and PyInit__core.
 * See binding.h. */
#include "binding.h"

PyTypeObject *akpy_client_type;
PyTypeObject *akpy_pager_type;

static PyObject *mod_describe(PyObject *Py_UNUSED(m), PyObject *Py_UNUSED(ignored)) {
    cJSON *d = ak_describe();
    if (!d)
        return PyErr_NoMemory();
    PyObject *out = akpy_json_to_py(d, 0);
    cJSON_Delete(d);
    return out;
}

static PyObject *mod_version(PyObject *Py_UNUSED(m), PyObject *Py_UNUSED(ignored)) {
    const char *v = ak_version();
    return PyUnicode_FromString(v ? v : AK_VERSION_STRING);
}

static PyObject *mod_to_json(PyObject *Py_UNUSED(m), PyObject *o) {
    /* Round-trips a value through the core's JSON representation (for tests and users who
     * want to see what will be sent). */
    pathbuf path = {{0}, 0};
    cJSON *c = akpy_py_to_json(o, &path, 0);
    if (!c)
        return NULL;
    char *s = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    if (!s)
        return PyErr_NoMemory();
    PyObject *out = PyUnicode_FromString(s);
    cJSON_free(s);
    return out;
}

static PyMethodDef module_methods[] = {
    {"describe", mod_describe, METH_NOARGS, "describe() -> dict of every platform, op and schema"},
    {"version", mod_version, METH_NOARGS, "version() -> core library version"},
    {"to_json", mod_to_json, METH_O, "to_json(value) -> JSON text as the core would send it"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT,
                                       "audkit._core",
                                       "Native core of audkit (C, libcurl + cJSON).",
                                       -1,
                                       module_methods,
                                       NULL,
                                       NULL,
                                       NULL,
                                       NULL};

PyMODINIT_FUNC PyInit__core(void) {
    PyObject *m = PyModule_Create(&moduledef);
    if (!m)
        return NULL;
    akpy_client_type = (PyTypeObject *)PyType_FromSpec(&akpy_client_spec);
    if (!akpy_client_type || PyModule_AddObjectRef(m, "Client", (PyObject *)akpy_client_type) < 0)
        goto fail;
    akpy_pager_type = (PyTypeObject *)PyType_FromSpec(&akpy_pager_spec);
    if (!akpy_pager_type || PyModule_AddObjectRef(m, "Pager", (PyObject *)akpy_pager_type) < 0)
        goto fail;
    PyObject *base = PyType_FromSpec(&akpy_pager_base_spec);
    if (!base || PyModule_AddObject(m, "PagerBase", base) < 0) {
        Py_XDECREF(base);
        goto fail;
    }
    akpy_tree_type = (PyTypeObject *)PyType_FromSpec(&akpy_tree_spec);
    if (!akpy_tree_type || PyModule_AddObjectRef(m, "Tree", (PyObject *)akpy_tree_type) < 0)
        goto fail;
    akpy_lazy_type = (PyTypeObject *)PyType_FromSpec(&akpy_lazy_spec);
    if (!akpy_lazy_type || PyModule_AddObjectRef(m, "LazyBase", (PyObject *)akpy_lazy_type) < 0)
        goto fail;
    akpy_field_spec.basicsize = (int)akpy_field_basicsize();
    akpy_field_type = (PyTypeObject *)PyType_FromSpecWithBases(&akpy_field_spec, (PyObject *)&PyProperty_Type);
    if (!akpy_field_type || PyModule_AddObjectRef(m, "Field", (PyObject *)akpy_field_type) < 0)
        goto fail;
    PyObject *opm = PyType_FromSpec(&akpy_opmethod_spec);
    if (!opm || PyModule_AddObject(m, "OpMethod", opm) < 0) {
        Py_XDECREF(opm);
        goto fail;
    }
    if (PyModule_AddStringConstant(m, "CORE_VERSION", AK_VERSION_STRING) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}

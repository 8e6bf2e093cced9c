/*
 * cio_analytics._speedups: the common case of the value scan, compiled.
 *
 * scan_dict(value, depth=1) answers the same question as the pure-Python
 * cio_analytics._encoding.scan_dict: may ``value`` be encoded by msgspec with
 * nothing changed? It returns True only when every key is an exact str and
 * every value an exact str, int, bool, None, finite float, dict or list,
 * nested at most MAX_DEPTH deep. Anything else returns False and the caller
 * takes the Python path, which accepts more types (datetime, Decimal, UUID,
 * ...) or raises an error naming the key path. The extension is optional: a
 * build without a compiler leaves the Python scan in place.
 *
 * Only exact types are read and no Python code runs during the walk, so the
 * borrowed references from PyDict_Next and PyList_GET_ITEM stay valid.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

#define MAX_DEPTH 64 /* cio_analytics._encoding.MAX_DEPTH */

static int scan_value(PyObject *value, int depth);

static int scan_mapping(PyObject *mapping, int depth) {
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    if (depth > MAX_DEPTH) return 0;
    while (PyDict_Next(mapping, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key) || !scan_value(value, depth)) return 0;
    }
    return 1;
}

static int scan_sequence(PyObject *list, int depth) {
    if (depth > MAX_DEPTH) return 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        if (!scan_value(PyList_GET_ITEM(list, i), depth)) return 0;
    }
    return 1;
}

static int scan_value(PyObject *value, int depth) {
    PyTypeObject *type = Py_TYPE(value);
    if (type == &PyUnicode_Type || type == &PyLong_Type || type == &PyBool_Type ||
        value == Py_None) {
        return 1;
    }
    if (type == &PyFloat_Type) return isfinite(PyFloat_AS_DOUBLE(value));
    if (type == &PyDict_Type) return scan_mapping(value, depth + 1);
    if (type == &PyList_Type) return scan_sequence(value, depth + 1);
    return 0;
}

/* scan_dict(value, depth=1) -> bool, as the Python function is called. */
static PyObject *scan_dict(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    long depth = 1;
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "scan_dict(value, depth=1)");
        return NULL;
    }
    if (nargs == 2) {
        depth = PyLong_AsLong(args[1]);
        if (depth == -1 && PyErr_Occurred()) return NULL;
    }
    if (depth > MAX_DEPTH) Py_RETURN_FALSE;
    if (depth < 0) depth = 0; /* only 1 is ever passed; keep the cast to int safe */
    if (PyDict_CheckExact(args[0]) && scan_mapping(args[0], (int)depth)) Py_RETURN_TRUE;
    Py_RETURN_FALSE;
}

static PyMethodDef methods[] = {
    {"scan_dict", (PyCFunction)(void (*)(void))scan_dict, METH_FASTCALL,
     "scan_dict(value, depth=1) -> bool: True when value is plain JSON data msgspec sends "
     "unchanged; False means: ask the Python scan."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "cio_analytics._speedups",
    "The compiled common case of cio_analytics._encoding.scan_dict (optional).", -1, methods,
};

PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }

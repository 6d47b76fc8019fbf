// The part of the CPython C API the agent calls, found inside the target at run time.
//
// Why dlsym(RTLD_DEFAULT) instead of direct calls: the version gate must run before anything
// 3.11-specific, and it must be able to *say* "Python 3.12 is not supported". With direct calls
// every CPython symbol would be bound when the injector dlopen()s us (-z now), so a target missing
// one of them (another minor version, or no Python at all) would make dlopen fail with a bare
// "undefined symbol" and the profiler would never hear why. Resolving by name also works for both
// layouts we support: Debian's python3.11 exports the API from the executable itself, pyenv's build
// from libpython3.11.so; both are in the global scope. The agent therefore has no undefined
// CPython symbols at all (a test checks this), so it must not use header macros that reference
// them (Py_DECREF, Py_None, PyDict_CheckExact, ...): use decref(), py().None(), type pointers.
#pragma once

#include "python_compat.h"

#include <string>
#include <type_traits>

namespace gcscope::agent {

// X(name): functions and data the agent uses, with the types this build's headers declare; the
// names that differ between versions come from version_layout.h.
#define GCSCOPE_PY_FUNCTIONS(X)                                                                                        \
    X(Py_IsInitialized)                                                                                                \
    X(PyGILState_Ensure)                                                                                               \
    X(PyGILState_Release)                                                                                              \
    X(PyEval_SaveThread)                                                                                               \
    X(PyEval_RestoreThread)                                                                                            \
    X(PyImport_ImportModule)                                                                                           \
    X(PyModule_GetDict)                                                                                                \
    X(PyDict_GetItemWithError)                                                                                         \
    X(PyObject_CallNoArgs)                                                                                             \
    X(PyObject_CallOneArg)                                                                                             \
    X(PyLong_FromLong)                                                                                                 \
    X(PyLong_AsLongLong)                                                                                               \
    X(PyLong_AsSsize_t)                                                                                                \
    X(PyList_Append)                                                                                                   \
    X(PyList_SetSlice)                                                                                                 \
    X(PyCMethod_New)                                                                                                   \
    X(PyUnicode_InternFromString)                                                                                      \
    X(PyUnicode_CompareWithASCIIString)                                                                                \
    X(PyErr_Fetch)                                                                                                     \
    X(PyErr_Restore)                                                                                                   \
    X(PyErr_Clear)                                                                                                     \
    X(PyErr_Occurred)                                                                                                  \
    X(_Py_Dealloc)                                                                                                     \
    X(PyInterpreterState_Main)                                                                                         \
    X(PyFrame_GetLineNumber)                                                                                           \
    GCSCOPE_PY_VERSION_FUNCTIONS(X)

// X(name, type): functions some versions declare only in their internal headers.
#define GCSCOPE_PY_TYPED_FUNCTIONS(X) X(_PyDict_SizeOf, Py_ssize_t (*)(PyDictObject*))

#define GCSCOPE_PY_DATA(X)                                                                                             \
    X(_Py_NoneStruct)                                                                                                  \
    X(PyType_Type)                                                                                                     \
    X(PyBaseObject_Type)                                                                                               \
    X(PyList_Type)                                                                                                     \
    X(PyDict_Type)                                                                                                     \
    X(PySet_Type)                                                                                                      \
    X(PyFrozenSet_Type)                                                                                                \
    X(PyLong_Type)                                                                                                     \
    X(PyUnicode_Type)                                                                                                  \
    X(PyModule_Type)                                                                                                   \
    X(PyCFunction_Type)                                                                                                \
    X(PyMethodDescr_Type)                                                                                              \
    X(PyWrapperDescr_Type)                                                                                             \
    X(PyTuple_Type)                                                                                                    \
    X(PyBytes_Type)                                                                                                    \
    X(PyFloat_Type)                                                                                                    \
    X(PyFunction_Type)                                                                                                 \
    X(PyMethod_Type)                                                                                                   \
    X(PyCell_Type)                                                                                                     \
    X(PyCode_Type)                                                                                                     \
    X(PyFrame_Type)                                                                                                    \
    X(PyGen_Type)                                                                                                      \
    X(PyCoro_Type)

struct PythonApi {
#define GCSCOPE_PY_MEMBER(name) decltype(&::name) name = nullptr;
    GCSCOPE_PY_FUNCTIONS(GCSCOPE_PY_MEMBER)
    GCSCOPE_PY_DATA(GCSCOPE_PY_MEMBER)
#undef GCSCOPE_PY_MEMBER
#define GCSCOPE_PY_TYPED_MEMBER(name, type) std::type_identity_t<type> name = nullptr;
    GCSCOPE_PY_TYPED_FUNCTIONS(GCSCOPE_PY_TYPED_MEMBER)
#undef GCSCOPE_PY_TYPED_MEMBER

    PyObject* None() const
    {
        return _Py_NoneStruct;
    }
};

// Looks every symbol up in the process. Returns false and names the first missing one. Call it
// only after the version gate accepted the runtime: the names are those of this build's version.
bool resolvePythonApi(std::string& missing);

// The table resolved by the last successful resolvePythonApi().
const PythonApi& py();

// Py_DECREF and Py_INCREF as this version's headers define them (immortal objects are left alone),
// without their reference to _Py_Dealloc. GIL held.
inline void decref(PyObject* o)
{
    if (o && layout::decrementReachesZero(o))
        py()._Py_Dealloc(o);
}

inline PyObject* incref(PyObject* o)
{
    if (o)
        layout::increment(o);
    return o;
}

} // namespace gcscope::agent

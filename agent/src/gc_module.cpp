#include "gc_module.h"

namespace gcscope::agent {

namespace {

// A new reference to module.__dict__[name], or null.
PyObject* moduleEntry(PyObject* dict, const char* name)
{
    PyObject* key = py().PyUnicode_InternFromString(name);
    if (!key)
        return nullptr;
    PyObject* value = py().PyDict_GetItemWithError(dict, key);
    decref(key);
    return incref(value);
}

bool readInteger(PyObject* value, std::int64_t& out)
{
    if (!value || !PyLong_Check(value))
        return false;
    long long v = py().PyLong_AsLongLong(value);
    if (v == -1 && py().PyErr_Occurred())
        return false;
    out = v;
    return true;
}

bool readTriple(PyObject* tuple, std::array<std::int64_t, wire::kGenerations>& out)
{
    if (!tuple || !PyTuple_Check(tuple) || PyTuple_GET_SIZE(tuple) < wire::kGenerations)
        return false;
    for (int i = 0; i < wire::kGenerations; ++i)
        if (!readInteger(layout::tupleItems(tuple)[i], out[static_cast<std::size_t>(i)]))
            return false;
    return true;
}

} // namespace

bool GcModule::open(std::string& error)
{
    close();
    // gc is a builtin module; importing it runs no code of the target's own.
    module_ = py().PyImport_ImportModule("gc");
    if (!module_ || !Py_IS_TYPE(module_, py().PyModule_Type)) {
        py().PyErr_Clear();
        close();
        error = "cannot import the gc module";
        return false;
    }
    PyObject* dict = py().PyModule_GetDict(module_);
    struct {
        PyObject** slot;
        const char* name;
    } functions[] = {
        { &getCount_, "get_count" },
        { &getThreshold_, "get_threshold" },
        { &isEnabled_, "isenabled" },
        { &getStats_, "get_stats" },
        { &getFreezeCount_, "get_freeze_count" },
        { &collect_, "collect" },
        { &getObjects_, "get_objects" },
    };
    for (auto& f : functions) {
        *f.slot = moduleEntry(dict, f.name);
        if (!*f.slot || !Py_IS_TYPE(*f.slot, py().PyCFunction_Type)) {
            py().PyErr_Clear();
            close();
            error = std::string("gc.") + f.name + " is not the builtin function";
            return false;
        }
    }
    callbacks_ = moduleEntry(dict, "callbacks");
    garbage_ = moduleEntry(dict, "garbage");
    keyCollections_ = py().PyUnicode_InternFromString("collections");
    keyCollected_ = py().PyUnicode_InternFromString("collected");
    keyUncollectable_ = py().PyUnicode_InternFromString("uncollectable");
    if (!callbacks_ || !Py_IS_TYPE(callbacks_, py().PyList_Type) || !keyCollections_ || !keyCollected_
        || !keyUncollectable_) {
        py().PyErr_Clear();
        close();
        error = "gc.callbacks is not a list";
        return false;
    }
    return true;
}

void GcModule::close()
{
    for (PyObject** ref : { &module_, &getCount_, &getThreshold_, &isEnabled_, &getStats_, &getFreezeCount_, &collect_,
             &getObjects_, &callbacks_, &garbage_, &keyCollections_, &keyCollected_, &keyUncollectable_ }) {
        decref(*ref);
        *ref = nullptr;
    }
}

PyObject* GcModule::call(PyObject* function)
{
    PyObject* result = py().PyObject_CallNoArgs(function);
    if (!result)
        py().PyErr_Clear();
    return result;
}

std::int64_t GcModule::freezeCount()
{
    PyObject* freeze = call(getFreezeCount_);
    std::int64_t value = -1;
    if (!readInteger(freeze, value))
        value = -1;
    decref(freeze);
    return value;
}

bool GcModule::sample(wire::SampleRecord& out)
{
    bool ok = true;

    PyObject* count = call(getCount_);
    ok = readTriple(count, out.count) && ok;
    decref(count);

    PyObject* threshold = call(getThreshold_);
    ok = readTriple(threshold, out.threshold) && ok;
    decref(threshold);

    PyObject* enabled = call(isEnabled_);
    std::int64_t enabledValue = 1; // bool is an int subclass
    ok = readInteger(enabled, enabledValue) && ok;
    out.enabled = enabledValue != 0;
    decref(enabled);

    PyObject* freeze = call(getFreezeCount_);
    ok = readInteger(freeze, out.freezeCount) && ok;
    decref(freeze);

    PyObject* stats = call(getStats_);
    if (stats && Py_IS_TYPE(stats, py().PyList_Type) && PyList_GET_SIZE(stats) >= wire::kGenerations) {
        for (int i = 0; i < wire::kGenerations; ++i) {
            PyObject* generation = PyList_GET_ITEM(stats, i);
            auto& s = out.stats[static_cast<std::size_t>(i)];
            if (!Py_IS_TYPE(generation, py().PyDict_Type)) {
                ok = false;
                continue;
            }
            ok = readInteger(py().PyDict_GetItemWithError(generation, keyCollections_), s.collections) && ok;
            ok = readInteger(py().PyDict_GetItemWithError(generation, keyCollected_), s.collected) && ok;
            ok = readInteger(py().PyDict_GetItemWithError(generation, keyUncollectable_), s.uncollectable) && ok;
        }
    } else {
        ok = false;
    }
    decref(stats);

    // gc.garbage is the interpreter's own list; a replaced one counts as nothing.
    out.gcGarbage = garbage_ && Py_IS_TYPE(garbage_, py().PyList_Type) ? PyList_GET_SIZE(garbage_) : 0;

    py().PyErr_Clear();
    return ok;
}

bool GcModule::collect(int generation, std::int64_t& collected, std::string& error)
{
    PyObject* arg = py().PyLong_FromLong(generation);
    PyObject* result = arg ? py().PyObject_CallOneArg(collect_, arg) : nullptr;
    decref(arg);
    bool ok = readInteger(result, collected);
    decref(result);
    if (!ok) {
        py().PyErr_Clear();
        error = "gc.collect() failed";
    }
    return ok;
}

PyObject* GcModule::objects()
{
    PyObject* list = call(getObjects_);
    if (list && !Py_IS_TYPE(list, py().PyList_Type)) {
        decref(list);
        return nullptr;
    }
    return list;
}

} // namespace gcscope::agent

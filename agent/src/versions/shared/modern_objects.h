// Object layouts shared by CPython 3.12 and later (GIL builds), as source: each version's
// version_layout.cpp includes this after its own headers, so every struct and offset below is
// that version's own. Needs Py_BUILD_CORE and pycore_dict.h, pycore_code.h.
#pragma once

#include "python_api.h"
#include "python_compat.h"

#include <cstddef>
#include <cstdlib>

namespace gcscope::agent::shared {

inline std::size_t roundUpToPointer(std::size_t n)
{
    return (n + sizeof(void*) - 1) & ~(sizeof(void*) - 1);
}

// _PyObject_VAR_SIZE
inline std::size_t varSize(PyTypeObject* type, Py_ssize_t items)
{
    if (items < 0)
        items = -items;
    return roundUpToPointer(static_cast<std::size_t>(type->tp_basicsize)
        + static_cast<std::size_t>(items) * static_cast<std::size_t>(type->tp_itemsize));
}

// dictobject.c's _PyDict_KeysSize (not exported).
inline std::size_t keysSize(PyDictKeysObject* keys)
{
    const std::size_t entrySize
        = keys->dk_kind == DICT_KEYS_GENERAL ? sizeof(PyDictKeyEntry) : sizeof(PyDictUnicodeEntry);
    const std::size_t slots = static_cast<std::size_t>(1) << keys->dk_log2_size;
    const std::size_t usable = (slots << 1) / 3; // USABLE_FRACTION
    return sizeof(PyDictKeysObject) + (static_cast<std::size_t>(1) << keys->dk_log2_index_bytes) + usable * entrySize;
}

inline void fillEntries(PyDictKeysObject* keys, DictEntries& out)
{
    out.count = keys->dk_nentries;
    out.unicodeKeys = DK_IS_UNICODE(keys);
    out.entries
        = reinterpret_cast<const char*>(keys->dk_indices) + (static_cast<std::size_t>(1) << keys->dk_log2_index_bytes);
    if (out.unicodeKeys) {
        out.stride = sizeof(PyDictUnicodeEntry);
        out.keyOffset = offsetof(PyDictUnicodeEntry, me_key);
        out.valueOffset = offsetof(PyDictUnicodeEntry, me_value);
    } else {
        out.stride = sizeof(PyDictKeyEntry);
        out.keyOffset = offsetof(PyDictKeyEntry, me_key);
        out.valueOffset = offsetof(PyDictKeyEntry, me_value);
    }
}

inline bool readDictEntries(PyObject* dict, DictEntries& out)
{
    auto* mp = reinterpret_cast<PyDictObject*>(dict);
    if (!mp->ma_keys) { // dict_traverse would not survive it: nothing to visit
        out = {};
        return true;
    }
    fillEntries(mp->ma_keys, out);
    out.splitValues = mp->ma_values ? mp->ma_values->values : nullptr;
    return true;
}

inline bool readCachedKeys(PyTypeObject* type, DictEntries& out)
{
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return false;
    PyDictKeysObject* keys = reinterpret_cast<PyHeapTypeObject*>(type)->ht_cached_keys;
    if (!keys || !DK_IS_UNICODE(keys))
        return false;
    fillEntries(keys, out);
    out.splitValues = nullptr;
    return true;
}

// unicode___sizeof___impl: compact ASCII, compact, or the legacy two-block form (str subclasses),
// plus the UTF-8 copy when it owns memory. (No wchar_t copy since 3.12.)
inline std::size_t strSizeof(PyObject* o)
{
    auto* ascii = reinterpret_cast<PyASCIIObject*>(o);
    auto* compact = reinterpret_cast<PyCompactUnicodeObject*>(o);
    const bool compactAscii = ascii->state.compact && ascii->state.ascii;
    const std::size_t length = static_cast<std::size_t>(ascii->length);
    const std::size_t kind = ascii->state.kind;
    const void* data = nullptr;
    std::size_t size;
    if (compactAscii) {
        size = sizeof(PyASCIIObject) + length + 1;
        data = ascii + 1;
    } else if (ascii->state.compact) {
        size = sizeof(PyCompactUnicodeObject) + (length + 1) * kind;
        data = compact + 1;
    } else {
        size = sizeof(PyUnicodeObject);
        data = reinterpret_cast<PyUnicodeObject*>(o)->data.any;
        if (data)
            size += (length + 1) * kind;
    }
    if (!compactAscii && compact->utf8 && compact->utf8 != data)
        size += static_cast<std::size_t>(compact->utf8_length) + 1;
    return size;
}

// type.__sizeof__: a heap type with the shared keys of its instances, or a static type.
inline std::size_t typeSizeof(PyObject* o)
{
    auto* type = reinterpret_cast<PyTypeObject*>(o);
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return sizeof(PyTypeObject);
    std::size_t size = sizeof(PyHeapTypeObject);
    if (PyDictKeysObject* keys = reinterpret_cast<PyHeapTypeObject*>(type)->ht_cached_keys)
        size += keysSize(keys);
    return size;
}

// code.__sizeof__: the object and its bytecode, plus co_extra (a count, then that many pointers).
inline std::size_t codeSizeof(PyObject* o)
{
    struct CodeExtra {
        Py_ssize_t size;
        void* extras[1];
    };
    auto* code = reinterpret_cast<PyCodeObject*>(o);
    std::size_t size = varSize(Py_TYPE(o), Py_SIZE(o));
    if (auto* extra = static_cast<CodeExtra*>(code->co_extra))
        size += sizeof(CodeExtra) + static_cast<std::size_t>(extra->size - 1) * sizeof(void*);
    return size;
}

// _PyObject_ComputedDictPointer (never creates the dict), or null: the __dict__ slot of a class
// whose instances keep it at tp_dictoffset (not a managed one).
inline PyObject** computedDictSlot(PyObject* o)
{
    PyTypeObject* type = Py_TYPE(o);
    Py_ssize_t offset = type->tp_dictoffset;
    if (offset == 0 || (type->tp_flags & Py_TPFLAGS_MANAGED_DICT))
        return nullptr;
    if (offset < 0)
        offset += static_cast<Py_ssize_t>(varSize(type, Py_SIZE(o)));
    return reinterpret_cast<PyObject**>(reinterpret_cast<char*>(o) + offset);
}

// subtype_traverse (3.13+) visits a class's managed attributes with PyObject_VisitManagedDict: the
// inline values (all `capacity` slots) or the __dict__, and which one depends on the patch release
// (3.13.0 visits valid inline values even once a __dict__ exists, later releases the __dict__,
// gh-130327). So the interpreter's own function says which it visits, and the values are read in
// its order; a __dict__ at tp_dictoffset only for classes that are not managed.
struct ManagedVisits {
    static constexpr int kMax = 64;
    PyObject* seen[kMax];
    int count = 0;
    static int visit(PyObject* o, void* arg)
    {
        auto* self = static_cast<ManagedVisits*>(arg);
        if (self->count == kMax)
            return 1;
        self->seen[self->count++] = o;
        return 0;
    }
};

inline bool readInstanceAttributes(PyObject* o, bool visitsDictSlot, InstanceAttributes& out)
{
    out = {};
    PyTypeObject* type = Py_TYPE(o);
    if (!visitsDictSlot)
        return true;
    if (!(type->tp_flags & Py_TPFLAGS_MANAGED_DICT)) {
        if (PyObject** slot = computedDictSlot(o))
            out.dict = *slot;
        return true;
    }
    ManagedVisits visits;
    if (py().PyObject_VisitManagedDict(o, &ManagedVisits::visit, &visits) != 0)
        return false; // more than a class's inline values can hold: not what this reader knows
    auto* dict = reinterpret_cast<PyObject*>(_PyObject_ManagedDictPointer(o)->dict);
    if (visits.count == 1 && visits.seen[0] == dict) {
        out.dict = dict;
        return true;
    }
    if (visits.count == 0)
        return true;
    if (!(type->tp_flags & Py_TPFLAGS_INLINE_VALUES))
        return false;
    PyDictValues* values = _PyObject_InlineValues(o);
    // The visits must be the non-null values, in order.
    int next = 0;
    for (std::size_t i = 0; i < values->capacity; ++i)
        if (values->values[i] && (next == visits.count || visits.seen[next++] != values->values[i]))
            return false;
    if (next != visits.count)
        return false;
    out.values = values->values;
    out.count = values->capacity;
    return true;
}

inline const void* instanceAttributesAddress(PyObject* o)
{
    PyTypeObject* type = Py_TYPE(o);
    PyDictObject* dict = _PyObject_ManagedDictPointer(o)->dict;
    if (dict || !(type->tp_flags & Py_TPFLAGS_INLINE_VALUES))
        return dict;
    return reinterpret_cast<const char*>(o) + type->tp_basicsize;
}

} // namespace gcscope::agent::shared

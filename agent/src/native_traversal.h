// The references of the most common objects found by reading them, with their labels, instead of
// through tp_traverse: exact lists, tuples and dicts, and instances of classes written in Python
// whose only base with a traverse of its own is object. Most of a heap is made of these; for them
// the collector's callback per reference, and the second pass that checks and names what it
// visited (edge_labels.h), cost more than the walk's own work.
//
// Each rule visits exactly what the running CPython's traverse function visits (list_traverse,
// tupletraverse, dict_traverse, subtype_traverse with its version's managed attributes), null
// entries skipped as Py_VISIT skips them; the heap walker's tests hold every object of a heap
// against gc.get_referents(). Lists and tuples come in element order (their tp_traverse visits
// the last item first; the snapshot keeps element order either way). GIL held.
#pragma once

#include "edge_labels.h"
#include "python_compat.h"
#include "snapshot_types.h"

#include <gcscope/wire.h>

#include <cstdint>

namespace gcscope::agent {

// Which rule, decided once per type (TypeCatalog).
inline NativeTraversal nativeTraversalOf(PyTypeObject* type, const TypeInfo& info)
{
    const auto& api = py();
    if (type == api.PyList_Type)
        return NativeTraversal::List;
    if (type == api.PyTuple_Type)
        return NativeTraversal::Tuple;
    if (type == api.PyDict_Type)
        return NativeTraversal::Dict;
    // Only type_new() makes a type with a managed __dict__, and gives it subtype_traverse.
    if (info.edges == EdgeKind::Instance && (type->tp_flags & Py_TPFLAGS_MANAGED_DICT) && !info.plan.baseVisits)
        return NativeTraversal::Instance;
    return NativeTraversal::None;
}

// Calls reference(target, label) for each reference in visit order until it returns false. False
// when the rule cannot tell for this object (the caller uses tp_traverse instead).
template <typename Reference>
bool traverseNatively(PyObject* o, TypeInfo& info, EdgeLabeler& edges, Reference&& reference)
{
    switch (info.native) {
    case NativeTraversal::None:
        return false;
    case NativeTraversal::List:
    case NativeTraversal::Tuple: {
        PyObject* const* items = info.native == NativeTraversal::List ? reinterpret_cast<PyListObject*>(o)->ob_item
                                                                      : layout::tupleItems(o);
        const Py_ssize_t count = Py_SIZE(o);
        for (Py_ssize_t i = 0; i < count; ++i) {
            PyObject* item = items[i];
            const std::uint32_t label = i < static_cast<Py_ssize_t>(wire::kEdgeIndexBit)
                ? (wire::kEdgeIndexBit | static_cast<std::uint32_t>(i))
                : 0;
            if (item && !reference(item, label))
                break;
        }
        return true;
    }
    case NativeTraversal::Dict: {
        DictEntries entries;
        if (!readDictEntries(o, entries) || entries.approximate)
            return false; // this form cannot read dicts exactly: tp_traverse
        for (Py_ssize_t i = 0; i < entries.count; ++i) {
            PyObject* value = entries.value(i);
            if (!value)
                continue;
            PyObject* key = entries.key(i);
            // An entry mapping a str to itself (the interned-strings table, tracked from 3.14) says
            // nothing a label could add, and its keys are data.
            if (!reference(value, key && key != value ? edges.keyLabel(key) : 0))
                break;
            if (!entries.unicodeKeys && key && !reference(key, 0))
                break;
        }
        return true;
    }
    case NativeTraversal::Instance: {
        const InstancePlan& plan = info.plan;
        InstanceAttributes attributes;
        if (!readInstanceAttributes(o, plan.visitsDict, attributes))
            return false; // the class's shared keys cannot be read: how many values is unknown
        const std::vector<std::uint32_t>* names = attributes.count ? edges.attributeLabels(info) : nullptr;
        if (attributes.count && !names)
            return false;
        for (const SlotField& slot : plan.slots) {
            PyObject* value = *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(o) + slot.offset);
            if (value && !reference(value, slot.label))
                return true;
        }
        for (std::size_t i = 0; i < attributes.count; ++i) {
            PyObject* value = attributes.values[i];
            if (value && !reference(value, i < names->size() ? (*names)[i] : 0))
                return true;
        }
        if (attributes.dict && !reference(attributes.dict, edges.dictLabel()))
            return true;
        if (plan.visitsType)
            reference(reinterpret_cast<PyObject*>(Py_TYPE(o)), edges.classLabel());
        return true;
    }
    }
    return false;
}

} // namespace gcscope::agent

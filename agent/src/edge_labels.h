// Names the references an object's tp_traverse just visited, where the name is cheaply known:
//   list, tuple     items by index (kEdgeIndexBit | i); the references are put in element order
//                   (their tp_traverse visits the last item first)
//   dict            each value by its str key (keys of other types: no label; in a dict whose keys
//                   are not all str the key's own reference stays unlabelled)
//   class instance  __slots__ by slot name, 3.11 inline attribute values by attribute name,
//                   "__dict__", "__class__", then the builtin base's rule (list, dict, ...)
//   function        "__code__", "__globals__", "__builtins__", "__module__", "__defaults__", ...
//   type            "__dict__", "__mro__", "__bases__", "__base__", "ht_module"
//   frame           "f_back", "f_trace"; a finished frame also "f_locals", "f_func", "f_code" and
//                   its locals by variable name
//   generator       "gi_code", "__name__", "__qualname__", "gi_frame", its frame's fields as above
//                   (coroutines: "cr_code", "cr_frame"), "gi_exc_state"
//   module          "__dict__"; method "__func__", "__self__"; cell "cell_contents"
// Every label is checked: the rule says which object the next visit must be, and the first visit
// that is not it ends labelling for that object (a wrong label is worse than none).
// With kSnapshotNoStrings only interned ASCII identifiers (names from code) label a reference: any
// other key is data.
// GIL held.
#pragma once

#include "address_table.h"
#include "python_compat.h"
#include "snapshot_encoder.h"
#include "snapshot_types.h"
#include "string_table.h"

#include <cstdint>
#include <vector>

namespace gcscope::agent {

class EdgeLabeler {
public:
    EdgeLabeler(StringTable& strings, bool noStrings);

    void label(PyObject* o, TypeInfo& info, ReferenceSpan references)
    {
        if (references.size() != 0 && info.edges != EdgeKind::None)
            labelAll(o, info, references);
    }

    // For native_traversal.h, which names references as it finds them.
    // A str key's label, cached by its address: the last keys met in a small table in front of a
    // hash table (most dicts of a heap share a few keys).
    std::uint32_t keyLabel(PyObject* key)
    {
        RecentKey& recent = recentKeys_[(reinterpret_cast<std::uintptr_t>(key) >> 4) % kRecentKeys];
        if (recent.key != key)
            recent = { key, knownKeyLabel(key) };
        return recent.label;
    }
    // The labels of a class's inline attribute values, one per shared key; null when the class's
    // shared keys cannot be read.
    const std::vector<std::uint32_t>* attributeLabels(TypeInfo& info)
    {
        if (!info.attributeLabelsKnown)
            learnAttributeLabels(info);
        return info.attributeLabelsReadable ? &info.attributeLabels : nullptr;
    }
    // The targets of references the walk saw but the targets' refcounts do not count (borrowed
    // stack references of 3.14+ frames), one entry per reference.
    const std::vector<std::uintptr_t>& uncounted() const { return uncounted_; }

    std::uint32_t dictLabel() const { return names_.dict; }
    std::uint32_t classLabel() const { return names_.cls; }

private:
    class Matcher;
    void labelAll(PyObject* o, TypeInfo& info, ReferenceSpan references);
    struct Names {
        std::uint32_t dict, cls, code, globals, builtins, module, defaults, kwdefaults, doc, name, closure, annotations,
            annotate, typeParams, qualname, cache, mro, bases, base, htModule, back, trace, locals, func, frameCode,
            frameObject, genCode, genFrame, coroCode, coroFrame, excState, method, self, cellContents;
    };

    void labelAs(PyObject* o, EdgeKind kind, Matcher& m);
    std::uint32_t functionLabel(const FunctionVisit& visit) const;
    void sequence(PyObject* const* items, Py_ssize_t count, Matcher& m);
    void dict(PyObject* o, Matcher& m);
    void instance(PyObject* o, TypeInfo& info, Matcher& m);
    void frameData(const InterpreterFrameView& data, std::uint32_t frameObjectLabel, Matcher& m);
    void learnAttributeLabels(TypeInfo& info);
    std::uint32_t knownKeyLabel(PyObject* key);

    StringTable& strings_;
    std::vector<std::uintptr_t> uncounted_;
    bool noStrings_;
    Names names_ {};
    AddressTable keys_;
    struct RecentKey {
        PyObject* key = nullptr;
        std::uint32_t label = 0;
    };
    static constexpr std::size_t kRecentKeys = 64;
    RecentKey recentKeys_[kRecentKeys];
};

} // namespace gcscope::agent

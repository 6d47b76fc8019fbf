// What a heap snapshot needs to know about each type, decided once per type and snapshot: its name
// (a string id), how to size its instances, whether its class defines __del__, which short label its
// instances get and how the references its tp_traverse visits can be labelled.
#pragma once

#include "object_size.h"
#include "python_api.h"
#include "string_table.h"
#include "type_name.h"

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace gcscope::agent {

// Which short label an object gets (object_labels.h).
enum class ObjectLabelKind : std::uint8_t {
    None,
    Module,
    Function,
    Type,
    Code,
    Frame,
    Generator,
    Str,
    Bytes,
    Int,
    Float
};

// Whose tp_traverse visits the references, so they can be labelled (edge_labels.h). Instance is
// CPython's subtype_traverse for classes: __slots__, inline attributes, __dict__, __class__, then the
// nearest builtin base's own visits.
enum class EdgeKind : std::uint8_t {
    None,
    List,
    Tuple,
    Dict,
    Function,
    Type,
    Frame,
    Module,
    Method,
    Cell,
    Generator,
    Coroutine,
    Instance,
};

// Whose references are read natively rather than through tp_traverse (native_traversal.h).
enum class NativeTraversal : std::uint8_t { None, List, Tuple, Dict, Instance };

struct SlotField {
    Py_ssize_t offset = 0;
    std::uint32_t label = 0;
};

// subtype_traverse's visits for instances of one class, in order.
struct InstancePlan {
    std::vector<SlotField> slots; // __slots__ members (T_OBJECT_EX), from the class down to its first builtin base
    bool visitsDict = false; // then the __dict__ pointer
    bool visitsType = false; // then the class itself
    bool baseVisits = false; // then the builtin base's tp_traverse...
    EdgeKind base = EdgeKind::None; // ...labelled like that base's own instances
};

struct TypeInfo {
    PyTypeObject* type = nullptr;
    std::uint32_t name = 0; // string id of "module.qualname"
    SizeRule size;
    std::uint8_t flags = 0; // wire::kObjectHasFinalizer
    ObjectLabelKind label = ObjectLabelKind::None;
    EdgeKind edges = EdgeKind::None;
    NativeTraversal native = NativeTraversal::None;
    InstancePlan plan; // edges == Instance
    // Labels of the class's shared-key entries for inline values, filled on first use; readable
    // says whether the shared keys could be read (their count is how many values there are).
    bool attributeLabelsKnown = false;
    bool attributeLabelsReadable = false;
    std::vector<std::uint32_t> attributeLabels;
};

// The resources a catalog borrows, opened once per session (GIL held).
class TypeCatalogResources {
public:
    bool open();
    void close();
    const ShallowSizer& sizer() const { return sizer_; }
    const TypeNamer& namer() const { return namer_; }
    PyObject* delKey() const { return delKey_; }

private:
    ShallowSizer sizer_;
    TypeNamer namer_;
    PyObject* delKey_ = nullptr; // interned "__del__"
};

// Per snapshot: the TypeInfo of every type met so far. GIL held throughout.
class TypeCatalog {
public:
    TypeCatalog(const TypeCatalogResources& resources, StringTable& strings);

    TypeInfo& infoFor(PyTypeObject* type)
    {
        auto& slot = recent_[((reinterpret_cast<std::uintptr_t>(type) >> 4) * 0x9E3779B97F4A7C15ull) >> 58];
        if (slot && slot->type == type)
            return *slot;
        slot = &lookup(type);
        return *slot;
    }
    const ShallowSizer& sizer() const { return resources_.sizer(); }

private:
    static constexpr std::size_t kRecent = 64; // the hash below keeps 6 bits

    TypeInfo& lookup(PyTypeObject* type);
    std::unique_ptr<TypeInfo> describe(PyTypeObject* type);
    EdgeKind knownTraverse(traverseproc traverse) const;
    InstancePlan planFor(PyTypeObject* type);
    std::uint8_t finalizerFlag(PyTypeObject* type) const;

    const TypeCatalogResources& resources_;
    StringTable& strings_;
    std::vector<std::pair<traverseproc, EdgeKind>> known_;
    std::unordered_map<PyTypeObject*, std::unique_ptr<TypeInfo>> infos_;
    TypeInfo* recent_[kRecent] {};
};

} // namespace gcscope::agent

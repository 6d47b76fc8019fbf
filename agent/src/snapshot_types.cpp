#include "snapshot_types.h"

#include "native_traversal.h"
#include "text_preview.h"

#include <gcscope/wire.h>

#include <structmember.h>

namespace gcscope::agent {

namespace {

constexpr std::size_t kMaxTypeName = 1024;

bool inheritsFrom(PyTypeObject* type, PyTypeObject* base)
{
    for (; type; type = type->tp_base)
        if (type == base)
            return true;
    return false;
}

ObjectLabelKind labelKindOf(PyTypeObject* type)
{
    const auto& api = py();
    if (type == api.PyFunction_Type)
        return ObjectLabelKind::Function;
    if (type == api.PyCode_Type)
        return ObjectLabelKind::Code;
    if (type == api.PyFrame_Type)
        return ObjectLabelKind::Frame;
    if (type == api.PyGen_Type || type == api.PyCoro_Type)
        return ObjectLabelKind::Generator;
    if (type == api.PyLong_Type) // exact ints only: a subclass's value is its own business
        return ObjectLabelKind::Int;
    if (type == api.PyFloat_Type)
        return ObjectLabelKind::Float;
    if (type->tp_flags & Py_TPFLAGS_TYPE_SUBCLASS)
        return ObjectLabelKind::Type;
    if (type->tp_flags & Py_TPFLAGS_UNICODE_SUBCLASS)
        return ObjectLabelKind::Str;
    if (type->tp_flags & Py_TPFLAGS_BYTES_SUBCLASS)
        return ObjectLabelKind::Bytes;
    if (inheritsFrom(type, api.PyModule_Type))
        return ObjectLabelKind::Module;
    return ObjectLabelKind::None;
}

} // namespace

bool TypeCatalogResources::open()
{
    close();
    delKey_ = py().PyUnicode_InternFromString("__del__");
    if (!delKey_)
        py().PyErr_Clear();
    return sizer_.open() && namer_.open() && delKey_;
}

void TypeCatalogResources::close()
{
    sizer_.close();
    namer_.close();
    decref(delKey_);
    delKey_ = nullptr;
}

TypeCatalog::TypeCatalog(const TypeCatalogResources& resources, StringTable& strings)
    : resources_(resources)
    , strings_(strings)
{
    const auto& api = py();
    known_ = {
        { api.PyList_Type->tp_traverse, EdgeKind::List },
        { api.PyTuple_Type->tp_traverse, EdgeKind::Tuple },
        { api.PyDict_Type->tp_traverse, EdgeKind::Dict },
        { api.PyFunction_Type->tp_traverse, EdgeKind::Function },
        { api.PyType_Type->tp_traverse, EdgeKind::Type },
        { api.PyFrame_Type->tp_traverse, EdgeKind::Frame },
        { api.PyModule_Type->tp_traverse, EdgeKind::Module },
        { api.PyMethod_Type->tp_traverse, EdgeKind::Method },
        { api.PyCell_Type->tp_traverse, EdgeKind::Cell },
        { api.PyGen_Type->tp_traverse, EdgeKind::Generator },
    };
}

TypeInfo& TypeCatalog::lookup(PyTypeObject* type)
{
    auto it = infos_.find(type);
    if (it == infos_.end())
        it = infos_.emplace(type, describe(type)).first;
    return *it->second;
}

EdgeKind TypeCatalog::knownTraverse(traverseproc traverse) const
{
    if (!traverse)
        return EdgeKind::None;
    for (const auto& [function, kind] : known_)
        if (function == traverse)
            return kind;
    return EdgeKind::None;
}

std::unique_ptr<TypeInfo> TypeCatalog::describe(PyTypeObject* type)
{
    auto info = std::make_unique<TypeInfo>();
    info->type = type;
    std::string name = resources_.namer().nameOf(type);
    info->name = strings_.intern(truncateUtf8(name, kMaxTypeName));
    info->size = resources_.sizer().ruleFor(type);
    info->flags = finalizerFlag(type);
    info->label = labelKindOf(type);
    info->edges = knownTraverse(type->tp_traverse);
    if (info->edges == EdgeKind::Generator && inheritsFrom(type, py().PyCoro_Type))
        info->edges = EdgeKind::Coroutine; // the same gen_traverse, other attribute names
    if (info->edges == EdgeKind::None && (type->tp_flags & Py_TPFLAGS_HEAPTYPE) && type->tp_traverse) {
        // A class. Labels are checked visit by visit against what the plan expects, so a C type
        // built from a spec (its own tp_traverse) simply ends up unlabelled where it differs.
        info->edges = EdgeKind::Instance;
        info->plan = planFor(type);
    }
    info->native = nativeTraversalOf(type, *info);
    return info;
}

// What subtype_traverse (typeobject.c) visits, type by type up to the first base with another
// tp_traverse.
InstancePlan TypeCatalog::planFor(PyTypeObject* type)
{
    InstancePlan plan;
    PyTypeObject* base = type;
    while (base && base->tp_traverse == type->tp_traverse) {
        if (Py_SIZE(base) > 0 && (base->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
            // PyHeapType_GET_MEMBERS: the members follow the type object, sized by its metatype.
            auto* members = reinterpret_cast<PyMemberDef*>(reinterpret_cast<char*>(base) + Py_TYPE(base)->tp_basicsize);
            for (Py_ssize_t i = 0; i < Py_SIZE(base); ++i)
                if (members[i].type == T_OBJECT_EX)
                    plan.slots.push_back(
                        { members[i].offset, strings_.intern(members[i].name ? members[i].name : "") });
        }
        base = base->tp_base;
    }
    traverseproc baseTraverse = base ? base->tp_traverse : nullptr;
    plan.visitsDict = base && type->tp_dictoffset != base->tp_dictoffset;
    plan.visitsType
        = (type->tp_flags & Py_TPFLAGS_HEAPTYPE) && (!baseTraverse || !(base->tp_flags & Py_TPFLAGS_HEAPTYPE));
    plan.baseVisits = baseTraverse != nullptr;
    plan.base = knownTraverse(baseTraverse);
    return plan;
}

// A class "defines __del__" when a class in its MRO has one in its own dict that is not the slot
// wrapper CPython puts there for a C tp_finalize (generators, coroutines, ...), or the type has the
// legacy tp_del.
std::uint8_t TypeCatalog::finalizerFlag(PyTypeObject* type) const
{
    if (type->tp_del)
        return wire::kObjectHasFinalizer;
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE) || !type->tp_mro || !PyTuple_Check(type->tp_mro))
        return 0;
    const auto& api = py();
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(type->tp_mro); ++i) {
        auto* base = reinterpret_cast<PyTypeObject*>(layout::tupleItems(type->tp_mro)[i]);
        if (!PyType_Check(base) || !(base->tp_flags & Py_TPFLAGS_HEAPTYPE) || !base->tp_dict)
            continue;
        PyObject* del = api.PyDict_GetItemWithError(base->tp_dict, resources_.delKey());
        if (!del) {
            api.PyErr_Clear();
            continue;
        }
        if (!Py_IS_TYPE(del, api.PyWrapperDescr_Type))
            return wire::kObjectHasFinalizer;
    }
    return 0;
}

} // namespace gcscope::agent

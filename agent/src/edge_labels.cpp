#include "edge_labels.h"

#include "python_compat.h"
#include "text_preview.h"

#include <gcscope/wire.h>

namespace gcscope::agent {

namespace {
constexpr std::size_t kMaxEdgeLabel = 200;
} // namespace

// Walks the recorded references in order against the visits a rule expects.
class EdgeLabeler::Matcher {
public:
    Matcher(ReferenceSpan references, std::vector<std::uintptr_t>& uncounted)
        : references_(references)
        , uncounted_(uncounted)
    {
    }
    // The next visit must be `expected`; null is skipped, as Py_VISIT skips it. A reference the
    // target's refcount does not count (a borrowed stack reference, 3.14+) is marked so.
    void expect(PyObject* expected, std::uint32_t label, bool counted = true)
    {
        if (!ok_ || !expected)
            return;
        if (next_ < references_.size() && references_.target(next_) == reinterpret_cast<std::uintptr_t>(expected)) {
            if (!counted)
                uncounted_.push_back(reinterpret_cast<std::uintptr_t>(expected));
            if (label)
                references_.setLabel(next_, label);
            ++next_;
        } else {
            ok_ = false;
        }
    }
    bool ok() const { return ok_; }
    std::uint32_t position() const { return next_; }
    ReferenceSpan& references() { return references_; }

private:
    ReferenceSpan references_;
    std::vector<std::uintptr_t>& uncounted_;
    std::uint32_t next_ = 0;
    bool ok_ = true;
};

EdgeLabeler::EdgeLabeler(StringTable& strings, bool noStrings)
    : strings_(strings)
    , noStrings_(noStrings)
{
    struct {
        std::uint32_t* id;
        const char* text;
    } fixed[] = {
        { &names_.dict, "__dict__" },
        { &names_.cls, "__class__" },
        { &names_.code, "__code__" },
        { &names_.globals, "__globals__" },
        { &names_.builtins, "__builtins__" },
        { &names_.module, "__module__" },
        { &names_.defaults, "__defaults__" },
        { &names_.kwdefaults, "__kwdefaults__" },
        { &names_.doc, "__doc__" },
        { &names_.name, "__name__" },
        { &names_.closure, "__closure__" },
        { &names_.annotations, "__annotations__" },
        { &names_.annotate, "__annotate__" },
        { &names_.typeParams, "__type_params__" },
        { &names_.qualname, "__qualname__" },
        { &names_.cache, "tp_cache" },
        { &names_.mro, "__mro__" },
        { &names_.bases, "__bases__" },
        { &names_.base, "__base__" },
        { &names_.htModule, "ht_module" },
        { &names_.back, "f_back" },
        { &names_.trace, "f_trace" },
        { &names_.locals, "f_locals" },
        { &names_.func, "f_func" },
        { &names_.frameCode, "f_code" },
        { &names_.frameObject, "frame_obj" },
        { &names_.genCode, "gi_code" },
        { &names_.genFrame, "gi_frame" },
        { &names_.coroCode, "cr_code" },
        { &names_.coroFrame, "cr_frame" },
        { &names_.excState, "exc_value" },
        { &names_.method, "__func__" },
        { &names_.self, "__self__" },
        { &names_.cellContents, "cell_contents" },
    };
    for (auto& f : fixed)
        *f.id = strings_.intern(f.text);
}

void EdgeLabeler::labelAll(PyObject* o, TypeInfo& info, ReferenceSpan references)
{
    Matcher m(references, uncounted_);
    if (info.edges == EdgeKind::Instance)
        instance(o, info, m);
    else
        labelAs(o, info.edges, m);
}

void EdgeLabeler::labelAs(PyObject* o, EdgeKind kind, Matcher& m)
{
    switch (kind) {
    case EdgeKind::None:
    case EdgeKind::Instance: // only ever the top-level rule
        return;
    case EdgeKind::List:
        sequence(reinterpret_cast<PyListObject*>(o)->ob_item, Py_SIZE(o), m);
        return;
    case EdgeKind::Tuple:
        sequence(layout::tupleItems(o), Py_SIZE(o), m);
        return;
    case EdgeKind::Dict:
        dict(o, m);
        return;
    case EdgeKind::Function: {
        FunctionVisit visits[kMaxFunctionVisits];
        const std::size_t n = functionVisits(o, visits);
        for (std::size_t i = 0; i < n; ++i)
            m.expect(visits[i].value, functionLabel(visits[i]));
        return;
    }
    case EdgeKind::Type: {
        auto* t = reinterpret_cast<PyTypeObject*>(o);
        if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE)) // type_traverse visits heap types only
            return;
        TypeVisit visits[kMaxTypeVisits];
        const std::size_t n = typeVisits(t, visits);
        for (std::size_t i = 0; i < n; ++i)
            m.expect(visits[i].value, strings_.intern(visits[i].name));
        return;
    }
    case EdgeKind::Frame: {
        FrameView view;
        if (!readFrame(o, view))
            return;
        m.expect(view.back, names_.back);
        m.expect(view.trace, names_.trace);
        m.expect(view.extraLocals, 0);
        m.expect(view.localsCache, 0);
        m.expect(view.overwrittenLocals, 0);
        if (view.ownsData) // a running frame's data belongs to its thread, not to this object
            frameData(view.data, names_.frameObject, m);
        return;
    }
    case EdgeKind::Generator:
    case EdgeKind::Coroutine: {
        GeneratorView view;
        if (!readGenerator(o, view))
            return;
        const bool coroutine = kind == EdgeKind::Coroutine;
        m.expect(view.code, coroutine ? names_.coroCode : names_.genCode);
        m.expect(view.name, names_.name);
        m.expect(view.qualname, names_.qualname);
        if (view.hasFrame)
            frameData(view.data, coroutine ? names_.coroFrame : names_.genFrame, m);
        else
            m.expect(view.clearedCode, coroutine ? names_.coroCode : names_.genCode, view.clearedCodeCounted);
        m.expect(view.excValue, names_.excState);
        return;
    }
    case EdgeKind::Module: {
        // An extension's m_traverse visits its state first; md_dict is always the last visit.
        ReferenceSpan& references = m.references();
        PyObject* dict = moduleDict(o);
        const std::uint32_t last = references.size() - 1;
        if (dict && references.size() > m.position()
            && references.target(last) == reinterpret_cast<std::uintptr_t>(dict))
            references.setLabel(last, names_.dict);
        return;
    }
    case EdgeKind::Method: {
        auto* method = reinterpret_cast<PyMethodObject*>(o);
        m.expect(method->im_func, names_.method);
        m.expect(method->im_self, names_.self);
        return;
    }
    case EdgeKind::Cell:
        m.expect(reinterpret_cast<PyCellObject*>(o)->ob_ref, names_.cellContents);
        return;
    }
}

std::uint32_t EdgeLabeler::functionLabel(const FunctionVisit& visit) const
{
    switch (visit.field) {
    case FunctionField::Code:
        return names_.code;
    case FunctionField::Globals:
        return names_.globals;
    case FunctionField::Builtins:
        return names_.builtins;
    case FunctionField::Module:
        return names_.module;
    case FunctionField::Defaults:
        return names_.defaults;
    case FunctionField::KwDefaults:
        return names_.kwdefaults;
    case FunctionField::Doc:
        return names_.doc;
    case FunctionField::Name:
        return names_.name;
    case FunctionField::Dict:
        return names_.dict;
    case FunctionField::Closure:
        return names_.closure;
    case FunctionField::Annotations:
        // 3.11 may keep annotations as a tuple of name, value pairs until __annotations__ is read
        // (and turns it into a new dict): only a dict is what the attribute gives.
        return visit.value && Py_IS_TYPE(visit.value, py().PyDict_Type) ? names_.annotations : 0;
    case FunctionField::Annotate:
        return names_.annotate;
    case FunctionField::TypeParams:
        return names_.typeParams;
    case FunctionField::Qualname:
        return names_.qualname;
    }
    return 0;
}

// list_traverse and tupletraverse visit the last item first: check that, then put the references
// in element order.
void EdgeLabeler::sequence(PyObject* const* items, Py_ssize_t count, Matcher& m)
{
    const std::uint32_t start = m.position();
    for (Py_ssize_t i = count; i-- > 0;)
        m.expect(items[i],
            i < static_cast<Py_ssize_t>(wire::kEdgeIndexBit) ? (wire::kEdgeIndexBit | static_cast<std::uint32_t>(i))
                                                             : 0);
    if (m.ok())
        m.references().reverse(start, m.position());
}

// dict_traverse: values only when every key is a str, else value then key for each entry in use.
void EdgeLabeler::dict(PyObject* o, Matcher& m)
{
    DictEntries entries;
    if (!readDictEntries(o, entries))
        return;
    for (Py_ssize_t i = 0; i < entries.count && m.ok(); ++i) {
        PyObject* value = entries.value(i);
        if (!value)
            continue;
        PyObject* key = entries.key(i);
        m.expect(value, key && key != value ? keyLabel(key) : 0); // (see native_traversal.h)
        if (!entries.unicodeKeys)
            m.expect(key, 0);
    }
}

// subtype_traverse (typeobject.c).
void EdgeLabeler::instance(PyObject* o, TypeInfo& info, Matcher& m)
{
    const InstancePlan& plan = info.plan;
    for (const SlotField& slot : plan.slots)
        m.expect(*reinterpret_cast<PyObject**>(reinterpret_cast<char*>(o) + slot.offset), slot.label);
    InstanceAttributes attributes;
    if (!readInstanceAttributes(o, plan.visitsDict, attributes))
        return;
    const std::vector<std::uint32_t>* labels = attributes.count ? attributeLabels(info) : nullptr;
    for (std::size_t i = 0; i < attributes.count && m.ok(); ++i)
        m.expect(attributes.values[i], labels && i < labels->size() ? (*labels)[i] : 0);
    m.expect(attributes.dict, names_.dict);
    if (plan.visitsType)
        m.expect(reinterpret_cast<PyObject*>(Py_TYPE(o)), names_.cls);
    if (plan.baseVisits && m.ok())
        labelAs(o, plan.base, m);
}

// _PyFrame_Traverse: the frame object, f_locals, the function, the code, then locals and stack.
void EdgeLabeler::frameData(const InterpreterFrameView& data, std::uint32_t frameObjectLabel, Matcher& m)
{
    m.expect(data.frameObject, frameObjectLabel);
    m.expect(data.locals, names_.locals);
    m.expect(data.function, names_.func, data.functionCounted);
    m.expect(data.code, names_.frameCode, data.codeCounted);
    const Py_ssize_t named = data.localNames && PyTuple_Check(data.localNames) ? PyTuple_GET_SIZE(data.localNames) : 0;
    for (int i = 0; i < data.slotCount && m.ok(); ++i) {
        const StackSlot slot = frameSlot(data, i);
        if (slot.object)
            m.expect(slot.object, i < named ? keyLabel(layout::tupleItems(data.localNames)[i]) : 0, slot.counted);
    }
}

void EdgeLabeler::learnAttributeLabels(TypeInfo& info)
{
    info.attributeLabelsKnown = true;
    DictEntries keys;
    if (!readCachedKeys(info.type, keys))
        return;
    info.attributeLabelsReadable = true;
    info.attributeLabels.reserve(static_cast<std::size_t>(keys.count));
    for (Py_ssize_t i = 0; i < keys.count; ++i) {
        PyObject* key = keys.key(i);
        info.attributeLabels.push_back(key ? keyLabel(key) : 0);
    }
}

std::uint32_t EdgeLabeler::knownKeyLabel(PyObject* key)
{
    if (!PyUnicode_Check(key))
        return 0;
    const auto address = reinterpret_cast<std::uintptr_t>(key);
    if (const std::uint32_t* known = keys_.find(address))
        return *known;
    std::uint32_t id = 0;
    // With no strings, a key names a reference only when it is a name from code: attribute and
    // variable names are interned, while keys made at run time (a session token that happens to look
    // like an identifier) are not, and are data.
    if (!noStrings_ || (PyUnicode_CHECK_INTERNED(key) && isAsciiIdentifier(key))) {
        char text[kMaxEdgeLabel + 16];
        id = strings_.intern({ text, renderStr(key, text, kMaxEdgeLabel) });
    }
    bool inserted = false;
    keys_.insert(address, id, inserted); // a full table only costs the cache
    return id;
}

} // namespace gcscope::agent

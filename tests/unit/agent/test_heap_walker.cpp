// The heap walk object by object, in an embedded interpreter: every reference it records must be
// what gc.get_referents() returns, every label it gives an edge must lead where it says, and every
// size must be what sys.getsizeof() says. The checks themselves are Python (kChecks), run over the
// whole heap of the interpreter (its start-up objects and kObjects).
#include "edge_labels.h"
#include "heap_walker.h"
#include "held_leaves.h"
#include "object_labels.h"
#include "python_api.h"
#include "python_compat.h"
#include "snapshot_encoder.h"
#include "snapshot_types.h"
#include "string_table.h"

#include <gcscope/wire.h>

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

// An embedded interpreter that is never finalised keeps its memory: not a leak of ours.
extern "C" const char* __asan_default_options()
{
    return "detect_leaks=0";
}

namespace gcscope::agent {
namespace {

constexpr const char* kObjects = R"PY(
import array, asyncio, collections, functools, gc, re, sys, types
gc.disable()  # a collection between the walk and the checks would untrack tuples and dicts

class Node: pass
class Slotted:
    __slots__ = ("a", "b")
class SlottedWithDict:
    __slots__ = ("a", "__dict__")
class ListSub(list): pass
class DictSub(dict): pass
class TupleSub(tuple): pass
class IntSub(int): pass
class Meta(type): pass
class WithMeta(metaclass=Meta): pass
class Finalizable:
    def __del__(self): pass
def gen():
    x = [1]
    yield x
async def coro():
    return 1
def finished_frame():
    local_list = [2]
    return sys._getframe()
def closure():
    captured = [3]
    def inner():
        return captured
    return inner
def failing():
    doomed = [4]
    raise ValueError("x")
try:
    failing()
except ValueError as e:
    caught = e

node = Node(); node.alpha = [1]; node.beta = {"k": 2}
materialised = Node(); materialised.gamma = [5]; materialised.__dict__
slotted = Slotted(); slotted.a = [6]
slotted_dict = SlottedWithDict(); slotted_dict.a = [7]; slotted_dict.z = [8]
list_sub = ListSub([[9], [10]]); list_sub.extra = [11]
dict_sub = DictSub(key=[12]); dict_sub.attr = [13]
g = gen(); next(g)
c = coro()
mixed_keys = {1: [14], "s": [15], (1, 2): [16]}
tuple_sub = TupleSub(([21], [22])); tuple_sub.attr = [29]  # __dict__ after the items
int_sub = IntSub(2 ** 70); int_sub.attr = [32]
odd_keys = {"with space": [17], "line\nbreak": [18], "k" * 300: [19], "\u00e9": [20]}
class SlotBase:
    __slots__ = ("s",)
class DictOnSlots(SlotBase): pass
dict_on_slots = DictOnSlots(); dict_on_slots.s = [40]; dict_on_slots.x = [41]
class Sparse: pass
sparse = Sparse(); sparse.a = [42]; sparse.b = [43]; sparse.c = [44]; del sparse.b  # a hole in the values
split_dict = Sparse(); split_dict.a = [45]; split_dict_values = split_dict.__dict__  # a split-table dict

objects = [
    node, materialised, slotted, slotted_dict, list_sub, dict_sub, tuple_sub, int_sub, WithMeta, Meta,
    Finalizable(), g, c, finished_frame(), closure(), closure().__closure__[0], caught, caught.__traceback__,
    mixed_keys, odd_keys, [None, [23]], ([24], "s"), {"plain": [25]}, Node.__init__ if hasattr(Node, "__init__") else None,
    Finalizable().__del__, functools.partial(len), collections.OrderedDict(a=[26]), collections.deque([[27]]),
    array.array("i", range(3)), re.compile("x+"), types.SimpleNamespace(a=[28]), sys.modules[__name__],
    dict_on_slots, sparse, split_dict, split_dict_values, (1, "two", 3.0, b"four", 2 ** 100, -7),
]
)PY";

// Returns a list of problems (empty when the snapshot is right).
constexpr const char* kChecks = R"PY(
import gc, sys, types

UNCHECKED_NAMES = {"f_func", "frame_obj", "tp_cache", "ht_module", "exc_value", "f_locals"}

def python_sizeof(t):
    return any(isinstance(k.__dict__.get("__sizeof__"), types.FunctionType) for k in t.__mro__)

def candidates(o, label):
    found = []
    if label == "__class__":
        found.append(type(o))
    if isinstance(o, dict) and label in o:
        found.append(o[label])
    try:
        if isinstance(o, type):
            found.append(type.__getattribute__(o, label))
        else:
            found.append(object.__getattribute__(o, label))
    except Exception:
        pass
    return found

def label_problem(o, label, target):
    if isinstance(label, int):
        try:
            return None if id(o[label]) == target else "index %d is another object" % label
        except Exception as e:
            return "index %d: %r" % (label, e)
    if label in UNCHECKED_NAMES:
        return None
    if isinstance(o, (types.FrameType, types.GeneratorType, types.CoroutineType)):
        if label == "f_code" and not isinstance(o, types.FrameType):
            label = "gi_code" if isinstance(o, types.GeneratorType) else "cr_code"  # its frame's code
        if label in ("f_back", "f_code", "f_trace", "gi_code", "gi_frame", "cr_code", "cr_frame", "__name__", "__qualname__"):
            try:
                return None if id(getattr(o, label)) == target else "%s is another object" % label
            except Exception as e:
                return "%s: %r" % (label, e)
        return None  # a local variable's name: reading it would build f_locals
    if isinstance(o, type) and label == "__dict__":
        proxy = type.__getattribute__(o, "__dict__")  # a mappingproxy; its one referent is the dict
        return None if target == id(gc.get_referents(proxy)[0]) else "__dict__ is not the type's dict"
    if isinstance(o, dict) and label not in o and ("\u2026" in label or "\\" in label):
        return None  # a cut or escaped key
    if any(id(c) == target for c in candidates(o, label)):
        return None
    return "%r does not lead to the target" % label

def check(snapshot, no_strings):
    problems = []
    by_id = {}
    for o in gc.get_objects():
        by_id[id(o)] = o
        for r in gc.get_referents(o):
            by_id.setdefault(id(r), r)
    addresses = set(entry[0] for entry in snapshot)
    for address, tracked, size, label, refs in snapshot:
        o = by_id.get(address)
        for target, edge in refs:
            if target not in addresses:
                problems.append("%s: a reference to an object the snapshot lacks" % type(o).__name__)
        if o is None:
            continue
        name = type(o).__qualname__
        if tracked != gc.is_tracked(o):
            problems.append("%s: tracked flag %s" % (name, tracked))
        if True:  # every object: non-GC ones have no referents, nor references in the snapshot
            expected = [id(r) for r in gc.get_referents(o)]
            got = [t for t, _ in refs]
            if type(o) in (list, tuple):
                expected.reverse()
            if isinstance(o, (list, tuple)) and type(o) not in (list, tuple):
                expected.sort(); got.sort()
            if got != expected:
                problems.append("%s: references %s, gc.get_referents %s" % (name, got[:6], expected[:6]))
        for target, edge in refs:
            if edge is None:
                continue
            name_part = edge.removesuffix("\u2026") if isinstance(edge, str) else ""
            if no_strings and isinstance(edge, str) and not (name_part.isidentifier() and name_part.isascii()):
                problems.append("%s: edge label %r with no_strings" % (name, edge))
            problem = label_problem(o, edge, target)
            if problem:
                problems.append("%s: %s" % (name, problem))
        if no_strings and isinstance(o, str) and label:
            problems.append("str labelled %r with no_strings" % label)
        if not python_sizeof(type(o)):
            try:
                if sys.getsizeof(o) != size:
                    problems.append("%s: size %d, sys.getsizeof %d" % (name, size, sys.getsizeof(o)))
            except Exception:
                pass
    return problems
)PY";

struct Walked {
    bool ok = false;
    std::vector<std::string> strings { std::string() };
    std::vector<wire::SnapshotObject> objects;
    std::uint64_t tracked = 0;
    std::uint64_t held = 0; // immutable leaves described after the walk

    const wire::SnapshotObject* at(std::uint64_t address) const
    {
        for (const auto& o : objects)
            if (o.address == address)
                return &o;
        return nullptr;
    }
};

class HeapWalk : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        Py_InitializeEx(0);
        std::string missing;
        ASSERT_TRUE(resolvePythonApi(missing)) << missing;
        globals_ = PyDict_New();
        PyDict_SetItemString(globals_, "__builtins__", PyEval_GetBuiltins());
        PyDict_SetItemString(globals_, "__name__", PyUnicode_FromString("__main__"));
        for (const char* code : { kObjects, kChecks }) {
            PyObject* result = PyRun_String(code, Py_file_input, globals_, globals_);
            if (!result)
                PyErr_Print();
            ASSERT_NE(result, nullptr);
            Py_DECREF(result);
        }
        ASSERT_TRUE(resources_.open());
    }

    // `frozen`: as in a snapshot child (HeldLeaves::holdNothing()), where notes are addresses only.
    static Walked walk(bool noStrings, std::uint32_t maxLabel = 60, const std::function<void()>& betweenHolds = {},
        bool frozen = false)
    {
        Walked out;
        PyObject* gc = PyImport_ImportModule("gc");
        PyObject* callbacks = PyObject_GetAttrString(gc, "callbacks");
        PyObject* garbage = PyObject_GetAttrString(gc, "garbage");
        InterpreterLayout layout;
        std::string error;
        EXPECT_TRUE(readInterpreterLayout(callbacks, garbage, layout, error)) << error;
        Py_DECREF(callbacks);
        Py_DECREF(garbage);
        Py_DECREF(gc);
        auto strings = std::make_unique<StringTable>();
        auto encoder = std::make_unique<SnapshotEncoder>(*strings);
        WalkScratch scratch;
        HeldLeaves held;
        if (frozen)
            held.holdNothing();
        {
            TypeCatalog types(resources_, *strings);
            ObjectLabeler labels(*strings, maxLabel, noStrings);
            EdgeLabeler edges(*strings, noStrings);
            HeapWalker walker(layout, types, labels, edges, *encoder, scratch, held, AgentObjects {});
            out.ok = walker.walk();
            out.tracked = walker.trackedObjects();
        }
        // What the agent does once the GIL is released (here it stays held: nothing else runs).
        if (betweenHolds)
            betweenHolds();
        ObjectLabeler labels(*strings, maxLabel, noStrings);
        out.ok = out.ok && held.write(labels, resources_.sizer(), *encoder) && encoder->finish();
        out.held = held.objects();
        held.release();
        for (const auto& segment : encoder->segments()) {
            std::string payload(reinterpret_cast<const char*>(segment.prefix), segment.prefixSize);
            payload.append(encoder->bytesOf(segment), segment.length);
            EXPECT_LE(payload.size(), wire::kMaxPayload);
            if (segment.type == wire::MessageType::SnapshotStrings) {
                auto record = wire::decodeAs<wire::SnapshotStringsRecord>(payload);
                EXPECT_TRUE(record && record->firstId == out.strings.size());
                if (record)
                    out.strings.insert(out.strings.end(), record->strings.begin(), record->strings.end());
            } else {
                auto record = wire::decodeAs<wire::SnapshotObjectsRecord>(payload);
                EXPECT_TRUE(record.has_value());
                if (record)
                    out.objects.insert(out.objects.end(), record->objects.begin(), record->objects.end());
            }
        }
        EXPECT_EQ(out.objects.size(), encoder->objects());
        std::unordered_set<std::uint64_t> addresses;
        for (const auto& o : out.objects)
            EXPECT_TRUE(addresses.insert(o.address).second) << "an object sent twice: " << out.strings.at(o.type);
        return out;
    }

    // Runs check() over the snapshot; its problems, at most `limit` of them.
    static std::vector<std::string> problems(const Walked& w, bool noStrings, std::size_t limit = 20)
    {
        PyObject* list = PyList_New(0);
        for (const auto& o : w.objects) {
            PyObject* refs = PyList_New(0);
            for (const auto& r : o.references) {
                PyObject* label = r.label == 0        ? Py_NewRef(Py_None)
                    : (r.label & wire::kEdgeIndexBit) ? PyLong_FromUnsignedLong(r.label & ~wire::kEdgeIndexBit)
                                                      : PyUnicode_FromString(w.strings.at(r.label).c_str());
                PyObject* pair = Py_BuildValue("(KN)", static_cast<unsigned long long>(r.target), label);
                PyList_Append(refs, pair);
                Py_DECREF(pair);
            }
            PyObject* entry = Py_BuildValue("(KNKsN)", static_cast<unsigned long long>(o.address),
                PyBool_FromLong(o.flags & wire::kObjectTracked), static_cast<unsigned long long>(o.size),
                w.strings.at(o.label).c_str(), refs);
            PyList_Append(list, entry);
            Py_DECREF(entry);
        }
        PyObject* check = PyDict_GetItemString(globals_, "check");
        PyObject* result = PyObject_CallFunction(check, "(OO)", list, noStrings ? Py_True : Py_False);
        Py_DECREF(list);
        std::vector<std::string> out;
        if (!result) {
            PyErr_Print();
            out.push_back("check() raised");
            return out;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(result) && out.size() < limit; ++i)
            out.push_back(PyUnicode_AsUTF8(PyList_GET_ITEM(result, i)));
        if (PyList_GET_SIZE(result) > static_cast<Py_ssize_t>(limit))
            out.push_back("... " + std::to_string(PyList_GET_SIZE(result)) + " problems in all");
        Py_DECREF(result);
        return out;
    }

    static PyObject* globals_;
    static TypeCatalogResources resources_;
};

PyObject* HeapWalk::globals_ = nullptr;
TypeCatalogResources HeapWalk::resources_;

std::string joined(const std::vector<std::string>& lines)
{
    std::string text;
    for (const auto& line : lines)
        text += line + "\n";
    return text;
}

TEST_F(HeapWalk, GivenTheWholeHeapThenReferencesAreTheCollectorsAndEveryLabelLeadsWhereItSays)
{
    auto w = walk(false);
    ASSERT_TRUE(w.ok);
    EXPECT_GT(w.tracked, 1000u);
    auto found = problems(w, false);
    EXPECT_TRUE(found.empty()) << joined(found);
}

TEST_F(HeapWalk, GivenNoStringsThenNoStrIsLabelledAndOnlyIdentifiersNameEdges)
{
    auto w = walk(true);
    ASSERT_TRUE(w.ok);
    auto found = problems(w, true);
    EXPECT_TRUE(found.empty()) << joined(found);
}

TEST_F(HeapWalk, GivenFrozenObjectsThenTheyAreLeavesWithoutReferencesAndNothingUnderThemIsWalked)
{
    PyObject* result = PyRun_String("frozen_holder = [[30], [31]]\ngc.freeze()\n", Py_file_input, globals_, globals_);
    ASSERT_NE(result, nullptr);
    Py_DECREF(result);
    auto w = walk(false);
    result = PyRun_String("gc.unfreeze()\n", Py_file_input, globals_, globals_);
    ASSERT_NE(result, nullptr);
    Py_DECREF(result);
    ASSERT_TRUE(w.ok);
    // Everything frozen is out of the walk; only the few frozen objects new objects refer to are
    // sent, each once, as leaves without references.
    std::uint64_t frozenLeaves = 0;
    for (const auto& o : w.objects)
        if (!(o.flags & wire::kObjectTracked) && o.references.empty() && w.strings[o.type] == "dict")
            ++frozenLeaves;
    EXPECT_LT(w.tracked, 200u) << "frozen objects were walked";
    EXPECT_GT(frozenLeaves, 0u);
}

// Runs `code` in the test's globals; false when it raised.
bool run(const char* code, PyObject* globals)
{
    PyObject* result = PyRun_String(code, Py_file_input, globals, globals);
    if (!result)
        PyErr_Print();
    Py_XDECREF(result);
    return result != nullptr;
}

long long evaluate(const char* expression, PyObject* globals)
{
    PyObject* result = PyRun_String(expression, Py_eval_input, globals, globals);
    if (!result) {
        PyErr_Print();
        return -1;
    }
    const long long value = PyLong_AsLongLong(result);
    Py_DECREF(result);
    return value;
}

// Containers of thousands of leaves, tracked and not: every leaf they hold is sent once, and every
// reference leads to an object the snapshot holds.
TEST_F(HeapWalk, GivenContainersOfManyLeavesThenEveryLeafTheyHoldIsSentOnce)
{
    ASSERT_TRUE(run(R"PY(
many_nodes = [Node() for _ in range(6000)]
many_dicts = [{"k": i} for i in range(6000)]  # untracked, each held once: leaves reached through the list
many_strs = ["many-" + str(i) for i in range(6000)]
many_strs_again = list(many_strs)  # each str held twice
many_tuples = [tuple(["t-" + str(i)]) for i in range(6000)]
gc.collect()  # untracks the tuples of atoms (the collector is disabled: it runs only here)
many_pairs = {"p-" + str(i): i for i in range(6000)}  # untracked, with 12000 references
many_pairs_holder = [None] * 5000 + [many_pairs]  # a big leaf found late in its holder
)PY",
        globals_));
    auto w = walk(false);
    auto found = problems(w, false); // while the objects live: their addresses are the snapshot's
    ASSERT_TRUE(run("del many_nodes, many_dicts, many_strs, many_strs_again, many_tuples, many_pairs, "
                    "many_pairs_holder\n",
        globals_));
    ASSERT_TRUE(w.ok);
    EXPECT_TRUE(found.empty()) << joined(found);
    std::size_t dicts = 0, tuples = 0;
    for (const auto& o : w.objects) {
        dicts += !(o.flags & wire::kObjectTracked) && w.strings.at(o.type) == "dict";
        tuples += !(o.flags & wire::kObjectTracked) && w.strings.at(o.type) == "tuple";
    }
    EXPECT_GE(dicts, 6001u) << "untracked dicts held by a big list were not all sent";
    EXPECT_GE(tuples, 6000u) << "untracked tuples held by a big list were not all sent";
}

TEST_F(HeapWalk, GivenImmutableLeavesThenEachIsSentOnceWithItsRefcountFromBeforeTheWalkAndEveryReferenceIsGivenBack)
{
    ASSERT_TRUE(run(R"PY(
# Made at run time: a constant would also be held by the code object running this.
held = {
    "str": "held-" + str(12345) * 3,
    "int": int("1000000000007"),
    "float": float("7.5"),
    "bytes": ("held-bytes" * 2).encode(),
}
held_holders = [held["str"], held["str"], {"k": held["str"]}, [held["int"]] * 5, [held["float"], held["bytes"]]]
def held_refcounts():
    return {name: sys.getrefcount(held[name]) - 1 for name in held}  # less getrefcount's own
)PY",
        globals_));
    ASSERT_TRUE(run("held_before = held_refcounts()\n", globals_));
    auto w = walk(false);
    ASSERT_TRUE(w.ok);
    EXPECT_GT(w.held, 4u);
    for (const char* name : { "str", "int", "float", "bytes" }) {
        const std::string key = std::string("held['") + name + "']";
        const auto address = static_cast<std::uint64_t>(evaluate(("id(" + key + ")").c_str(), globals_));
        std::size_t records = 0;
        for (const auto& o : w.objects)
            records += o.address == address;
        EXPECT_EQ(records, 1u) << name;
        const auto* o = w.at(address);
        ASSERT_NE(o, nullptr) << name;
        EXPECT_FALSE(o->flags & wire::kObjectTracked);
        EXPECT_EQ(o->refcount, evaluate(("held_before['" + std::string(name) + "']").c_str(), globals_)) << name;
        EXPECT_EQ(static_cast<long long>(o->size), evaluate(("sys.getsizeof(" + key + ")").c_str(), globals_)) << name;
    }
    EXPECT_EQ(w.strings.at(w.at(static_cast<std::uint64_t>(evaluate("id(held['str'])", globals_)))->label),
        "held-123451234512345");
    EXPECT_EQ(
        w.strings.at(w.at(static_cast<std::uint64_t>(evaluate("id(held['int'])", globals_)))->label), "1000000000007");
    EXPECT_EQ(evaluate("int(held_refcounts() == held_before)", globals_), 1)
        << "a reference was not given back: " << evaluate("held_refcounts()['str']", globals_) << " "
        << evaluate("held_before['str']", globals_);
}

TEST_F(HeapWalk, GivenAFrozenHeapThenLeavesNotedByAddressAloneAreRecordedAsWhenHeld)
{
    ASSERT_TRUE(run(R"PY(
frozen_leaves = [("fz-" + str(i) * 3, int("10000000000") + i, float(i) + 0.25, ("fz-%d" % i).encode(), i % 7)
                 for i in range(300)]
frozen_leaves.append([frozen_leaves[0][0]] * 3)  # one str noted again and again
)PY",
        globals_));
    const Walked held = walk(false);
    const Walked frozen = walk(false, 60, {}, true);
    ASSERT_TRUE(held.ok);
    ASSERT_TRUE(frozen.ok);
    EXPECT_GT(held.held, 1200u);
    EXPECT_EQ(frozen.held, held.held);
    std::unordered_map<std::uint64_t, const wire::SnapshotObject*> byAddress;
    for (const auto& o : frozen.objects)
        byAddress.emplace(o.address, &o);
    // The refcounts of this test's own leaves only: between two walks the interpreter's caches take
    // and drop references to interned names (the type attribute cache holds its names).
    const auto ours = [](const std::string& label) {
        return label.starts_with("fz-") || label.starts_with("100000000") || label.ends_with(".25");
    };
    std::size_t compared = 0, refcountsCompared = 0;
    for (const auto& o : held.objects) {
        const std::string& type = held.strings.at(o.type);
        if ((o.flags & wire::kObjectTracked) || (type != "str" && type != "int" && type != "float" && type != "bytes"))
            continue;
        const auto it = byAddress.find(o.address);
        ASSERT_NE(it, byAddress.end()) << type << " " << held.strings.at(o.label);
        const wire::SnapshotObject& f = *it->second;
        EXPECT_EQ(frozen.strings.at(f.type), type);
        EXPECT_EQ(f.size, o.size) << type << " " << held.strings.at(o.label);
        if (ours(held.strings.at(o.label))) {
            EXPECT_EQ(f.refcount, o.refcount) << type << " " << held.strings.at(o.label);
            ++refcountsCompared;
        }
        EXPECT_EQ(f.flags, o.flags) << type << " " << held.strings.at(o.label);
        EXPECT_EQ(frozen.strings.at(f.label), held.strings.at(o.label));
        ++compared;
    }
    EXPECT_GT(compared, 1200u);
    EXPECT_GE(refcountsCompared, 600u); // this test's 300 strs and 300 ints at least
    const auto first = static_cast<std::uint64_t>(evaluate("id(frozen_leaves[0][0])", globals_));
    ASSERT_TRUE(frozen.at(first));
    EXPECT_EQ(frozen.strings.at(frozen.at(first)->label), "fz-000");
    EXPECT_EQ(frozen.at(first)->refcount, evaluate("sys.getrefcount(frozen_leaves[0][0]) - 1", globals_));
}

TEST_F(HeapWalk, GivenALeafDroppedBetweenTheTwoHoldsThenItsRecordIsWhatTheWalkSawAndReleasingFreesIt)
{
    ASSERT_TRUE(run("doomed_holder = ['doomed-' + 'z' * 40]\ndoomed_id = id(doomed_holder[0])\n", globals_));
    const auto address = static_cast<std::uint64_t>(evaluate("doomed_id", globals_));
    auto w = walk(false, 60, [] { ASSERT_TRUE(run("doomed_holder.clear()\n", globals_)); });
    ASSERT_TRUE(w.ok);
    const auto* doomed = w.at(address);
    ASSERT_NE(doomed, nullptr);
    EXPECT_EQ(doomed->refcount, 1);
    EXPECT_EQ(w.strings.at(doomed->label), "doomed-" + std::string(40, 'z'));
    EXPECT_EQ(w.strings.at(doomed->type), "str");
}

} // namespace
} // namespace gcscope::agent

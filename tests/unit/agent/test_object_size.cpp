// The agent's shallow sizes and census type names, object by object, in an embedded interpreter.
// The expected values come from the interpreter itself (sys.getsizeof, type.__module__).
#include "object_size.h"
#include "python_api.h"
#include "type_name.h"

#include <gtest/gtest.h>

#include <string>

// An embedded interpreter that is never finalised keeps its memory: not a leak of ours.
extern "C" const char* __asan_default_options()
{
    return "detect_leaks=0";
}

namespace gcscope::agent {
namespace {

// Objects of many builtin and user types; `objects` is the list the tests walk.
constexpr const char* kObjects = R"PY(
import collections, sys, types, array, functools, re

class Node: pass
class Slotted:
    __slots__ = ("a", "b")
class ListSub(list): pass
class DictSub(dict): pass
class SetSub(set): pass
class FrozenSub(frozenset): pass
class TupleSub(tuple): pass
class IntSub(int): pass
class StrSub(str): pass
class BytesSub(bytes): pass
class Outer:
    class Inner: pass
def gen():
    yield 1
def frame():
    return sys._getframe()
def closure():
    x = 1
    def inner():
        return x
    return inner

big = {str(i): i for i in range(1000)}
grown = []
for i in range(37): grown.append(i)
emptied = list(range(100)); emptied.clear()
utf8_cached = "\u00e9t\u00e9" * 3

objects = [
    [], [1, 2, 3], list(range(100)), grown, emptied,
    {}, {"a": 1}, big, dict.fromkeys(range(9)), Node().__dict__,
    set(), {1, 2}, set(range(100)), frozenset(), frozenset(range(10)),
    (), (1, 2), tuple(range(50)),
    "", "abc", "\u00e9" * 10, "\u6f22\u5b57", "\U0001F600" * 3, utf8_cached, "x" * 1000,
    b"", b"abc", bytearray(b"xyz"), bytearray(100),
    0, 1, -5, 2 ** 30, 2 ** 100, -(2 ** 200), True, False, 3.14, 1j,
    Node(), Slotted(), Outer.Inner(),
    ListSub(range(5)), DictSub(a=1, b=2), SetSub(range(20)), FrozenSub(range(3)), TupleSub((1, 2, 3)),
    IntSub(0), IntSub(7), IntSub(-(2 ** 70)), StrSub(""), StrSub("abc"), StrSub("\u00e9\u00e9"), BytesSub(b"abcd"),
    Node, int, type, sys, collections, len, Node.__init__, closure(), closure().__closure__[0],
    gen(), frame(), frame.__code__, collections.deque(range(40)), collections.OrderedDict(a=1, b=2),
    collections.defaultdict(list), range(5), slice(1, 2), memoryview(b"abc"), [].append,
    property(), staticmethod(len), classmethod(len), types.SimpleNamespace(a=1),
    array.array("i", range(10)), functools.partial(len), re.compile("a+"), iter([1]), object(),
]
)PY";

class EmbeddedPython : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        Py_InitializeEx(0);
        std::string missing;
        ASSERT_TRUE(resolvePythonApi(missing)) << missing;
        globals_ = PyDict_New();
        PyDict_SetItemString(globals_, "__builtins__", PyEval_GetBuiltins());
        PyDict_SetItemString(globals_, "__name__", PyUnicode_FromString("__main__"));
        PyObject* result = PyRun_String(kObjects, Py_file_input, globals_, globals_);
        if (!result)
            PyErr_Print();
        ASSERT_NE(result, nullptr);
        Py_DECREF(result);
        // Give one str a UTF-8 cache the way C code does.
        PyObject* cached = PyDict_GetItemString(globals_, "utf8_cached");
        ASSERT_NE(PyUnicode_AsUTF8(cached), nullptr);
    }

    static PyObject* global(const char* name) { return PyDict_GetItemString(globals_, name); }

    static std::size_t getsizeof(PyObject* o)
    {
        PyObject* sys = PyImport_ImportModule("sys");
        PyObject* result = PyObject_CallMethod(sys, "getsizeof", "(O)", o); // "(O)": a tuple is one argument
        Py_DECREF(sys);
        if (!result) {
            PyErr_Print();
            return 0;
        }
        std::size_t size = PyLong_AsSize_t(result);
        Py_DECREF(result);
        return size;
    }

    static std::string repr(PyObject* o)
    {
        PyObject* r = PyObject_Repr(o);
        std::string text = r ? PyUnicode_AsUTF8(r) : "?";
        Py_XDECREF(r);
        return text.substr(0, 80);
    }

    static PyObject* globals_;
};

PyObject* EmbeddedPython::globals_ = nullptr;

TEST_F(EmbeddedPython, GivenBuiltinAndSubclassObjectsThenShallowSizeEqualsSysGetsizeof)
{
    ShallowSizer sizer;
    ASSERT_TRUE(sizer.open());
    PyObject* objects = global("objects");
    ASSERT_NE(objects, nullptr);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objects); ++i) {
        PyObject* o = PyList_GET_ITEM(objects, i);
        EXPECT_EQ(sizer.shallowSize(o), getsizeof(o)) << "#" << i << " " << Py_TYPE(o)->tp_name << ": " << repr(o);
    }
    sizer.close();
}

TEST_F(EmbeddedPython, GivenAUserSizeofThenItIsNeverCalledAndTheLayoutSizeIsUsed)
{
    constexpr const char* code = R"PY(
calls = 0
class Sized:
    def __sizeof__(self):
        global calls
        calls += 1
        return 10 ** 6
class SizedDict(dict):
    def __sizeof__(self):
        global calls
        calls += 1
        return 10 ** 6
class PlainDict(dict): pass
sized = Sized()
sized_dict = SizedDict(a=1)
layout = Sized.__basicsize__ + 32  # + GC header + managed-dict pointers
dict_layout = sys.getsizeof(PlainDict(a=1))
)PY";
    PyObject* result = PyRun_String(code, Py_file_input, globals_, globals_);
    ASSERT_NE(result, nullptr);
    Py_DECREF(result);
    ShallowSizer sizer;
    ASSERT_TRUE(sizer.open());
    EXPECT_EQ(sizer.shallowSize(global("sized")), PyLong_AsSize_t(global("layout")));
    EXPECT_EQ(sizer.shallowSize(global("sized_dict")), PyLong_AsSize_t(global("dict_layout")));
    EXPECT_EQ(PyLong_AsLong(global("calls")), 0);
    sizer.close();
}

TEST_F(EmbeddedPython, GivenTypesThenCensusNamesAreModuleQualnameWithBuiltinsBare)
{
    TypeNamer namer;
    ASSERT_TRUE(namer.open());
    auto nameOf = [&](const char* expression) {
        PyObject* o = PyRun_String(expression, Py_eval_input, globals_, globals_);
        EXPECT_NE(o, nullptr) << expression;
        std::string name = o ? namer.nameOf(Py_TYPE(o)) : "";
        Py_XDECREF(o);
        return name;
    };
    EXPECT_EQ(nameOf("{}"), "dict");
    EXPECT_EQ(nameOf("Node()"), "__main__.Node");
    EXPECT_EQ(nameOf("Outer.Inner()"), "__main__.Outer.Inner");
    EXPECT_EQ(nameOf("collections.OrderedDict()"), "collections.OrderedDict");
    EXPECT_EQ(nameOf("collections.deque()"), "collections.deque");
    EXPECT_EQ(nameOf("re.compile('a')"), "re.Pattern");
    EXPECT_EQ(nameOf("Node"), "type");
    EXPECT_EQ(nameOf("len"), "builtin_function_or_method");
    // A __module__ that is not an exact str is not trusted: the qualname alone.
    PyObject* result
        = PyRun_String("class Odd: pass\nOdd.__module__ = 42\nodd = Odd()\n", Py_file_input, globals_, globals_);
    ASSERT_NE(result, nullptr);
    Py_DECREF(result);
    EXPECT_EQ(namer.nameOf(Py_TYPE(global("odd"))), "Odd");
    namer.close();
}

} // namespace
} // namespace gcscope::agent

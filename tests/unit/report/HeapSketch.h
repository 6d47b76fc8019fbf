// Hand-made heaps for the report's tests, written the way a Python program would build them:
//   HeapSketch h;
//   auto main = h.module("__main__");
//   auto globals = h.namespaceOf(main);
//   auto entries = h.object("list");
//   h.ref(globals, entries, "entries");
// Every object's refcount equals the references to it in the sketch (no hidden holders); modules
// carry ExplicitRoot and one reference more (sys.modules), so what hangs from a module is alive and
// everything else is garbage.
#pragma once

#include "analysis/HeapGraph.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gcscope::report::test {

class HeapSketch {
public:
    using Id = std::uint32_t;

    Id object(const std::string& type, const std::string& label = {}, std::uint64_t size = 48);
    Id module(const std::string& name);
    // The __dict__ of a module, class or instance (created on first use).
    Id namespaceOf(Id owner);
    // A class object named `qualname` in `globals`; it refers to its __mro__ as classes do.
    Id klass(Id globals, const std::string& qualname);

    void ref(Id from, Id to, const std::string& name); // attribute or str dict key
    void item(Id from, Id to, std::uint32_t index); // list or tuple index
    void plain(Id from, Id to); // unlabelled (a set member)
    // The object's address (default: by creation order), to make the same object appear in several
    // snapshots of a series; and a leaf the collector does not track (a str, an int).
    void at(Id id, std::uint64_t address);
    void untracked(Id id);

    analysis::HeapGraph build() const;

private:
    struct Object {
        std::string type, label;
        std::uint64_t size;
        std::uint8_t flags;
        Id dict = UINT32_MAX;
        std::uint64_t address = 0;
    };
    struct Edge {
        Id from, to;
        std::string name;
        std::uint32_t index;
        int kind; // 0 name, 1 index, 2 none
    };
    std::vector<Object> objects_;
    std::vector<Edge> edges_;
};

} // namespace gcscope::report::test

// The gc module as the agent reads it: its builtin functions, taken once from the module's own dict
// and checked to be builtins, so a user who replaced gc.get_objects cannot get code run by us.
// Every method needs the GIL.
#pragma once

#include "python_api.h"

#include <gcscope/wire.h>

#include <cstdint>
#include <string>

namespace gcscope::agent {

class GcModule {
public:
    bool open(std::string& error);
    void close();

    // gc.get_count/get_threshold/isenabled/get_stats/get_freeze_count and len(gc.garbage).
    // timeNs is left to the caller.
    bool sample(wire::SampleRecord& out);

    // gc.collect(generation); `collected` is what it returns.
    bool collect(int generation, std::int64_t& collected, std::string& error);

    // A new reference to gc.get_objects()'s list, or null.
    PyObject* objects();
    // gc.get_freeze_count(), or -1 when it could not be read.
    std::int64_t freezeCount();

    // gc.callbacks and gc.garbage (borrowed).
    PyObject* callbacks() const { return callbacks_; }
    PyObject* garbage() const { return garbage_; }

private:
    PyObject* call(PyObject* function);

    PyObject* module_ = nullptr;
    PyObject* getCount_ = nullptr;
    PyObject* getThreshold_ = nullptr;
    PyObject* isEnabled_ = nullptr;
    PyObject* getStats_ = nullptr;
    PyObject* getFreezeCount_ = nullptr;
    PyObject* collect_ = nullptr;
    PyObject* getObjects_ = nullptr;
    PyObject* callbacks_ = nullptr;
    PyObject* garbage_ = nullptr;
    PyObject* keyCollections_ = nullptr;
    PyObject* keyCollected_ = nullptr;
    PyObject* keyUncollectable_ = nullptr;
};

} // namespace gcscope::agent

// How the injector's parts report failure to Injector, which turns it into InjectResult::error.
// Never escapes the public API.
#pragma once

#include <stdexcept>
#include <string>

namespace gcscope::inject {

class InjectError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The target went away (exited, was killed, or vanished) while we worked on it.
class TargetGone : public InjectError {
public:
    using InjectError::InjectError;
};

// A wait ran past the injection's deadline.
class TimedOut : public InjectError {
public:
    using InjectError::InjectError;
};

} // namespace gcscope::inject

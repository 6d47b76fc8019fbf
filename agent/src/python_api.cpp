#include "python_api.h"

#include <dlfcn.h>

namespace gcscope::agent {

namespace {
// Plain pointers only, so the library has no constructor or destructor for it.
PythonApi g_api;
} // namespace

bool resolvePythonApi(std::string& missing)
{
    PythonApi api;
#define GCSCOPE_PY_RESOLVE(name)                                                                                       \
    api.name = reinterpret_cast<decltype(api.name)>(dlsym(RTLD_DEFAULT, #name));                                       \
    if (!api.name) {                                                                                                   \
        missing = #name;                                                                                               \
        return false;                                                                                                  \
    }
    GCSCOPE_PY_FUNCTIONS(GCSCOPE_PY_RESOLVE)
    GCSCOPE_PY_DATA(GCSCOPE_PY_RESOLVE)
#define GCSCOPE_PY_TYPED_RESOLVE(name, type) GCSCOPE_PY_RESOLVE(name)
    GCSCOPE_PY_TYPED_FUNCTIONS(GCSCOPE_PY_TYPED_RESOLVE)
#undef GCSCOPE_PY_TYPED_RESOLVE
#undef GCSCOPE_PY_RESOLVE
    g_api = api;
    return true;
}

const PythonApi& py()
{
    return g_api;
}

} // namespace gcscope::agent

// func_traverse's order of 3.11 over the public PyFunctionObject of the 3.11 headers, as source for
// the two forms built against them: py311 (exact) and portable (whose later versions keep these
// fields in their places; the fields they added are usually null, and the labeller stops naming at
// the first visit that differs). Include after python_compat.h.
#pragma once

#include "python_compat.h"

namespace gcscope::agent::shared {

inline std::size_t functionVisits311(PyObject* function, FunctionVisit* out)
{
    auto* f = reinterpret_cast<PyFunctionObject*>(function);
    const FunctionVisit visits[] = {
        { FunctionField::Code, f->func_code },
        { FunctionField::Globals, f->func_globals },
        { FunctionField::Builtins, f->func_builtins },
        { FunctionField::Module, f->func_module },
        { FunctionField::Defaults, f->func_defaults },
        { FunctionField::KwDefaults, f->func_kwdefaults },
        { FunctionField::Doc, f->func_doc },
        { FunctionField::Name, f->func_name },
        { FunctionField::Dict, f->func_dict },
        { FunctionField::Closure, f->func_closure },
        { FunctionField::Annotations, f->func_annotations },
        { FunctionField::Qualname, f->func_qualname },
    };
    std::size_t n = 0;
    for (const FunctionVisit& v : visits)
        out[n++] = v;
    return n;
}

} // namespace gcscope::agent::shared

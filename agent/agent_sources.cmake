# Sources of the injected agent (libgcscope_agent.so).

# The parts that only measure and name Python objects: also built as gcscope_agent_python_parts
# so a unit test can check them against sys.getsizeof() inside an embedded interpreter.
set(GCSCOPE_AGENT_PYTHON_PARTS
    src/object_size.cpp
    src/python_api.cpp
    src/python_compat.cpp
    src/type_name.cpp)

target_sources(gcscope_agent PRIVATE
    ${GCSCOPE_AGENT_PYTHON_PARTS}
    src/agent_entry.cpp
    src/agent_lifecycle.cpp
    src/agent_session.cpp
    src/census.cpp
    src/frame_reader.cpp
    src/gc_callback.cpp
    src/gc_event_buffer.cpp
    src/gc_module.cpp
    src/no_exceptions_runtime.cpp
    src/profiler_connection.cpp)

# Sources of the injected agent (libgcscope_agent_<form>.so), the same for every form; each form adds
# its own versions/<form>/version_layout.cpp.

# The parts that only read, measure, name and walk Python objects: also built (3.11 form) as
# gcscope_agent_python_parts so unit tests can check them against sys.getsizeof() and
# gc.get_referents() inside an embedded interpreter.
set(GCSCOPE_AGENT_PYTHON_PARTS
    src/address_bits.cpp
    src/address_table.cpp
    src/edge_labels.cpp
    src/heap_walker.cpp
    src/held_leaves.cpp
    src/mapped_buffer.cpp
    src/object_labels.cpp
    src/object_size.cpp
    src/python_api.cpp
    src/python_compat.cpp
    src/snapshot_encoder.cpp
    src/snapshot_types.cpp
    src/string_table.cpp
    src/text_preview.cpp
    src/type_name.cpp)

set(GCSCOPE_AGENT_SOURCES
    ${GCSCOPE_AGENT_PYTHON_PARTS}
    src/agent_entry.cpp
    src/agent_lifecycle.cpp
    src/agent_session.cpp
    src/census.cpp
    src/child_heap.cpp
    src/exit_hold.cpp
    src/frame_reader.cpp
    src/gc_callback.cpp
    src/gc_event_buffer.cpp
    src/gc_module.cpp
    src/no_exceptions_runtime.cpp
    src/page_warmer.cpp
    src/profiler_connection.cpp
    src/self_maps.cpp
    src/snapshot_child.cpp
    src/snapshot_taker.cpp
    src/write_reopen.cpp)

target_sources(gcscope_agent PRIVATE src/placeholder.cpp)

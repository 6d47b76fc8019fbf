target_sources(gcscope_storage PRIVATE src/placeholder.cpp)

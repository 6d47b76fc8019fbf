target_sources(gcscope_storage PRIVATE
    src/ArgvJson.cpp
    src/Database.cpp
    src/FileCheck.cpp
    src/Identity.cpp
    src/LabelChunk.cpp
    src/Migrator.cpp
    src/Reader.cpp
    src/Recorder.cpp
    src/Records.cpp
    src/ReferenceBlob.cpp
    src/Schema.cpp
    src/SnapshotChunk.cpp
    src/SnapshotQueries.cpp
    src/SnapshotWriter.cpp
    src/Statement.cpp
    src/StorageError.cpp
)

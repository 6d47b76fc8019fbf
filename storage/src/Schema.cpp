// The schema, as steps from an empty file. docs/schema.md documents every table and column: keep
// both in step. Never edit a released step; add the next one.
#include <gcscope/storage/Migrations.h>

#include <array>

namespace gcscope::storage {

namespace {
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('format', 'gcscope');

CREATE TABLE sessions (
    id                INTEGER PRIMARY KEY,
    pid               INTEGER NOT NULL,
    python_version    TEXT    NOT NULL,
    python_executable TEXT    NOT NULL,
    argv              TEXT    NOT NULL DEFAULT '[]',
    mode              TEXT    NOT NULL CHECK (mode IN ('attach', 'run')),
    started_ns        INTEGER NOT NULL,
    ended_ns          INTEGER,
    status            TEXT    NOT NULL DEFAULT 'incomplete' CHECK (status IN ('incomplete', 'complete')),
    end_reason        TEXT,
    interval_ms       INTEGER NOT NULL,
    census_every_ms   INTEGER NOT NULL,
    hostname          TEXT    NOT NULL,
    gcscope_version   TEXT    NOT NULL,
    gc_events_dropped INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE samples (
    session_id     INTEGER NOT NULL REFERENCES sessions (id),
    t_ns           INTEGER NOT NULL,
    count0         INTEGER NOT NULL,
    count1         INTEGER NOT NULL,
    count2         INTEGER NOT NULL,
    threshold0     INTEGER NOT NULL,
    threshold1     INTEGER NOT NULL,
    threshold2     INTEGER NOT NULL,
    enabled        INTEGER NOT NULL,
    freeze_count   INTEGER NOT NULL,
    collections0   INTEGER NOT NULL,
    collections1   INTEGER NOT NULL,
    collections2   INTEGER NOT NULL,
    collected0     INTEGER NOT NULL,
    collected1     INTEGER NOT NULL,
    collected2     INTEGER NOT NULL,
    uncollectable0 INTEGER NOT NULL,
    uncollectable1 INTEGER NOT NULL,
    uncollectable2 INTEGER NOT NULL,
    gc_garbage     INTEGER NOT NULL
);
CREATE INDEX samples_by_time ON samples (session_id, t_ns);

CREATE TABLE gc_events (
    session_id    INTEGER NOT NULL REFERENCES sessions (id),
    start_ns      INTEGER NOT NULL,
    duration_ns   INTEGER NOT NULL,
    generation    INTEGER NOT NULL,
    collected     INTEGER NOT NULL,
    uncollectable INTEGER NOT NULL
);
CREATE INDEX gc_events_by_time ON gc_events (session_id, start_ns);

CREATE TABLE types (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE census (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    t_ns       INTEGER NOT NULL,
    pause_ns   INTEGER NOT NULL,
    objects    INTEGER NOT NULL
);
CREATE INDEX census_by_time ON census (session_id, t_ns);

CREATE TABLE census_entries (
    census_id INTEGER NOT NULL REFERENCES census (id),
    type_id   INTEGER NOT NULL REFERENCES types (id),
    count     INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    PRIMARY KEY (census_id, type_id)
) WITHOUT ROWID;

CREATE TABLE process_samples (
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    t_ns       INTEGER NOT NULL,
    rss_bytes  INTEGER NOT NULL,
    threads    INTEGER NOT NULL,
    fds        INTEGER NOT NULL
);
CREATE INDEX process_samples_by_time ON process_samples (session_id, t_ns);
)sql";

// Heap snapshots. An object's outgoing references are one blob (see ReferenceBlob.h), not a row
// each: a snapshot with 3 references per object takes about 45 bytes per object on disk.
constexpr std::string_view kVersion2 = R"sql(
CREATE TABLE snapshots (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER REFERENCES sessions (id),
    taken_ns        INTEGER NOT NULL,
    pause_ns        INTEGER NOT NULL,
    pid             INTEGER NOT NULL,
    python_version  TEXT    NOT NULL,
    objects         INTEGER NOT NULL,
    tracked_objects INTEGER NOT NULL,
    edges           INTEGER NOT NULL,
    flags           INTEGER NOT NULL,
    ingest_ns       INTEGER NOT NULL,
    label           TEXT
);

CREATE TABLE snapshot_strings (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    id          INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    PRIMARY KEY (snapshot_id, id)
) WITHOUT ROWID;

CREATE TABLE snapshot_objects (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    id          INTEGER NOT NULL,
    address     INTEGER NOT NULL,
    type        INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    refcount    INTEGER NOT NULL,
    flags       INTEGER NOT NULL,
    label       INTEGER NOT NULL,
    refs        BLOB,
    PRIMARY KEY (snapshot_id, id)
) WITHOUT ROWID;
)sql";

// Every CPython from 3.11 to 3.15: which form of the agent recorded a session and how its collector
// counts generations; 3.15's own figures of each collection.
constexpr std::string_view kVersion3 = R"sql(
ALTER TABLE sessions ADD COLUMN agent_form TEXT;
ALTER TABLE sessions ADD COLUMN gc_model TEXT NOT NULL DEFAULT 'generational'
    CHECK (gc_model IN ('generational', 'incremental'));
ALTER TABLE gc_events ADD COLUMN candidates INTEGER;
ALTER TABLE gc_events ADD COLUMN python_duration_ns INTEGER;
)sql";

// Snapshots walked by a copy-on-write child of the target: how each was taken, why a child was not
// used, and the memory the child cost the system.
constexpr std::string_view kVersion4 = R"sql(
ALTER TABLE snapshots ADD COLUMN method TEXT NOT NULL DEFAULT 'in-process' CHECK (method IN ('in-process', 'child'));
ALTER TABLE snapshots ADD COLUMN method_note TEXT;
ALTER TABLE snapshots ADD COLUMN extra_memory INTEGER;
)sql";

constexpr std::array kSteps {
    MigrationStep { 1, kVersion1 },
    MigrationStep { 2, kVersion2 },
    MigrationStep { 3, kVersion3 },
    MigrationStep { 4, kVersion4 },
};
static_assert(kSteps.size() == kSchemaVersion, "kSchemaVersion must name the last step");
} // namespace

std::span<const MigrationStep> schemaMigrations()
{
    return kSteps;
}

} // namespace gcscope::storage

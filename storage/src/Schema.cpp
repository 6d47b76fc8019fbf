// The schema, as steps from an empty file. docs/schema.md documents every table and column: keep
// both in step. Never edit a released step; add the next one.
#include <gcscope/storage/Migrations.h>

#include <array>
#include <string>

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

// Heap snapshots by chunks of objects, column by column (storage/src/SnapshotChunk.h), written and
// read at the speed of the disk; a view lists the objects of both layouts in plain SQL.
constexpr std::string_view kVersion5 = R"sql(
-- Snapshots stored by chunks of objects (storage/src/SnapshotChunk.h): one row per up to 128 objects
-- instead of one per object. snapshot_objects keeps the snapshots older files stored.
CREATE TABLE snapshot_chunks (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    first_id    INTEGER NOT NULL,
    objects     INTEGER NOT NULL,
    data        BLOB    NOT NULL,
    PRIMARY KEY (snapshot_id, first_id)
);

-- Every object of every snapshot as one row, whichever way it is stored, decoded in plain SQL
-- (for browsing with sqlite3, at some microseconds per object; gcscope reads the chunks itself).
CREATE VIEW snapshot_object_list (snapshot_id, id, address, type, size, refcount, flags, label, refs) AS
WITH RECURSIVE
  -- "00,01,...,FF,": a byte's two hexadecimal digits and the comma after them are found at 3 * its value + 1
  byte_codes(codes) AS (SELECT '00,01,02,03,04,05,06,07,08,09,0A,0B,0C,0D,0E,0F,10,11,12,13,14,15,16,17,18,19,1A,1B,1C,1D,1E,1F,20,21,22,23,24,25,26,27,28,29,2A,2B,2C,2D,2E,2F,30,31,32,33,34,35,36,37,38,39,3A,3B,3C,3D,3E,3F,40,41,42,43,44,45,46,47,48,49,4A,4B,4C,4D,4E,4F,50,51,52,53,54,55,56,57,58,59,5A,5B,5C,5D,5E,5F,60,61,62,63,64,65,66,67,68,69,6A,6B,6C,6D,6E,6F,70,71,72,73,74,75,76,77,78,79,7A,7B,7C,7D,7E,7F,80,81,82,83,84,85,86,87,88,89,8A,8B,8C,8D,8E,8F,90,91,92,93,94,95,96,97,98,99,9A,9B,9C,9D,9E,9F,A0,A1,A2,A3,A4,A5,A6,A7,A8,A9,AA,AB,AC,AD,AE,AF,B0,B1,B2,B3,B4,B5,B6,B7,B8,B9,BA,BB,BC,BD,BE,BF,C0,C1,C2,C3,C4,C5,C6,C7,C8,C9,CA,CB,CC,CD,CE,CF,D0,D1,D2,D3,D4,D5,D6,D7,D8,D9,DA,DB,DC,DD,DE,DF,E0,E1,E2,E3,E4,E5,E6,E7,E8,E9,EA,EB,EC,ED,EE,EF,F0,F1,F2,F3,F4,F5,F6,F7,F8,F9,FA,FB,FC,FD,FE,FF,'),
  n(chunk, objects, i) AS (
    SELECT rowid, objects, 0 FROM snapshot_chunks WHERE objects > 0
    UNION ALL
    SELECT chunk, objects, i + 1 FROM n WHERE i + 1 < objects),
  -- each record in hexadecimal, with the 4 bytes in front of it (where its references start),
  -- computed once per object (MATERIALIZED: the decoding below reads it some 60 times)
  h(snapshot_id, id, x, chunk, area) AS MATERIALIZED (
    SELECT c.snapshot_id, c.first_id + n.i,
      hex(CASE WHEN n.i = 0 THEN x'00000000' || substr(c.data, 1, 29) ELSE substr(c.data, 29 * n.i - 3, 33) END),
      c.rowid, 1 + 29 * c.objects
    FROM n JOIN snapshot_chunks c ON c.rowid = n.chunk),
  d(snapshot_id, id, address, size, refcount, type, label, flags, refs_start, refs_end, chunk, area) AS (
    SELECT snapshot_id, id,
      (instr(t.codes, substr(x, 9, 2) || ',') / 3) | ((instr(t.codes, substr(x, 11, 2) || ',') / 3) << 8) | ((instr(t.codes, substr(x, 13, 2) || ',') / 3) << 16) | ((instr(t.codes, substr(x, 15, 2) || ',') / 3) << 24) | ((instr(t.codes, substr(x, 17, 2) || ',') / 3) << 32) | ((instr(t.codes, substr(x, 19, 2) || ',') / 3) << 40) | ((instr(t.codes, substr(x, 21, 2) || ',') / 3) << 48),
      (instr(t.codes, substr(x, 23, 2) || ',') / 3) | ((instr(t.codes, substr(x, 25, 2) || ',') / 3) << 8) | ((instr(t.codes, substr(x, 27, 2) || ',') / 3) << 16) | ((instr(t.codes, substr(x, 29, 2) || ',') / 3) << 24) | ((instr(t.codes, substr(x, 31, 2) || ',') / 3) << 32),
      (instr(t.codes, substr(x, 33, 2) || ',') / 3) | ((instr(t.codes, substr(x, 35, 2) || ',') / 3) << 8) | ((instr(t.codes, substr(x, 37, 2) || ',') / 3) << 16) | ((instr(t.codes, substr(x, 39, 2) || ',') / 3) << 24),
      (instr(t.codes, substr(x, 41, 2) || ',') / 3) | ((instr(t.codes, substr(x, 43, 2) || ',') / 3) << 8) | ((instr(t.codes, substr(x, 45, 2) || ',') / 3) << 16) | ((instr(t.codes, substr(x, 47, 2) || ',') / 3) << 24),
      (instr(t.codes, substr(x, 49, 2) || ',') / 3) | ((instr(t.codes, substr(x, 51, 2) || ',') / 3) << 8) | ((instr(t.codes, substr(x, 53, 2) || ',') / 3) << 16) | ((instr(t.codes, substr(x, 55, 2) || ',') / 3) << 24),
      (instr(t.codes, substr(x, 57, 2) || ',') / 3),
      (instr(t.codes, substr(x, 1, 2) || ',') / 3) | ((instr(t.codes, substr(x, 3, 2) || ',') / 3) << 8) | ((instr(t.codes, substr(x, 5, 2) || ',') / 3) << 16) | ((instr(t.codes, substr(x, 7, 2) || ',') / 3) << 24),
      (instr(t.codes, substr(x, 59, 2) || ',') / 3) | ((instr(t.codes, substr(x, 61, 2) || ',') / 3) << 8) | ((instr(t.codes, substr(x, 63, 2) || ',') / 3) << 16) | ((instr(t.codes, substr(x, 65, 2) || ',') / 3) << 24),
      chunk, area
    FROM h, byte_codes t)
SELECT snapshot_id, id, address, type, size, refcount, flags, label,
       CASE WHEN refs_end > refs_start
            THEN (SELECT substr(data, area + refs_start, refs_end - refs_start) FROM snapshot_chunks WHERE rowid = chunk)
       END
FROM d
UNION ALL
SELECT snapshot_id, id, address, type, size, refcount, flags, label, refs FROM snapshot_objects;
)sql";

// What a snapshot holds per type, stored with it: comparing two snapshots by type reads these
// rows instead of every object. Object labels by chunks (storage/src/LabelChunk.h): a snapshot of
// millions of objects has about as many, which took seconds as rows of snapshot_strings.
constexpr std::string_view kVersion6 = R"sql(
-- Per snapshot and type: its objects (leaves included) and their shallow bytes. Snapshots stored
-- before schema 6 have no rows here.
CREATE TABLE snapshot_types (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    type        INTEGER NOT NULL, -- snapshot_strings.id of the type's name
    objects     INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, type)
) WITHOUT ROWID;

-- The strings only objects use as labels (previews of str values, numbers, ...), up to 256 per row:
-- per string "<id - previous id>,<length in bytes>," then its UTF-8 bytes, the first id counted
-- from first_id. Type names and reference names stay rows of snapshot_strings.
CREATE TABLE snapshot_label_chunks (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    first_id    INTEGER NOT NULL,
    strings     INTEGER NOT NULL,
    data        BLOB    NOT NULL,
    PRIMARY KEY (snapshot_id, first_id)
);

-- Every string of every snapshot as one row, wherever it is stored (for browsing with sqlite3;
-- decoding the chunks takes some microseconds per string).
CREATE VIEW snapshot_string_list (snapshot_id, id, text) AS
WITH RECURSIVE
  -- one row per label: its chunk, its id, where its text starts and its length in bytes, how many
  -- labels of the chunk are left from it on; the next one's "<gap>,<length>," follows its text
  s(chunk, id, start, length, left) AS (
    SELECT c.rowid, c.first_id + CAST(substr(c.data, 1, instr(substr(c.data, 1, 12), x'2c') - 1) AS INTEGER),
      1 + instr(substr(c.data, 1, 12), x'2c') + instr(substr(c.data, 1 + instr(substr(c.data, 1, 12), x'2c'), 12), x'2c'),
      CAST(substr(c.data, 1 + instr(substr(c.data, 1, 12), x'2c'), instr(substr(c.data, 1 + instr(substr(c.data, 1, 12), x'2c'), 12), x'2c') - 1) AS INTEGER),
      c.strings
    FROM snapshot_label_chunks c WHERE c.strings > 0
    UNION ALL
    SELECT s.chunk, s.id + CAST(substr(c.data, (s.start + s.length), instr(substr(c.data, (s.start + s.length), 12), x'2c') - 1) AS INTEGER),
      (s.start + s.length) + instr(substr(c.data, (s.start + s.length), 12), x'2c') + instr(substr(c.data, (s.start + s.length) + instr(substr(c.data, (s.start + s.length), 12), x'2c'), 12), x'2c'),
      CAST(substr(c.data, (s.start + s.length) + instr(substr(c.data, (s.start + s.length), 12), x'2c'), instr(substr(c.data, (s.start + s.length) + instr(substr(c.data, (s.start + s.length), 12), x'2c'), 12), x'2c') - 1) AS INTEGER),
      s.left - 1
    FROM s JOIN snapshot_label_chunks c ON c.rowid = s.chunk WHERE s.left > 1)
SELECT c.snapshot_id, s.id, CAST(substr(c.data, s.start, s.length) AS TEXT)
FROM s JOIN snapshot_label_chunks c ON c.rowid = s.chunk
UNION ALL
SELECT snapshot_id, id, text FROM snapshot_strings;
)sql";

// Dominator trees kept once computed (storage/src/DominatorChunk.h): reopening a snapshot reads its
// tree instead of computing it again.
constexpr std::string_view kVersion7 = R"sql(
-- One row per snapshot whose dominator tree is kept: the rule it was computed by (a later gcscope
-- with another rule computes it anew and replaces it), and how many objects the root reaches.
CREATE TABLE snapshot_dominators (
    snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots (id),
    rule        INTEGER NOT NULL,
    objects     INTEGER NOT NULL,
    reachable   INTEGER NOT NULL,
    computed_ns INTEGER NOT NULL,
    created_by  TEXT    NOT NULL
);

-- The tree by chunks of up to 4096 consecutive objects: per object, two unsigned LEB128 varints,
-- its immediate dominator (0 none: unreachable; 1 the virtual root above every root; else 2 plus
-- the zig-zag delta from its own id) and its retained size in bytes.
CREATE TABLE snapshot_dominator_chunks (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    first_id    INTEGER NOT NULL,
    objects     INTEGER NOT NULL,
    data        BLOB    NOT NULL,
    PRIMARY KEY (snapshot_id, first_id)
);
)sql";

// What the next full collection would free in a snapshot, summed up once: a leak report over many
// snapshots reads these few rows instead of loading and analysing every earlier snapshot.
constexpr std::string_view kVersion8 = R"sql(
-- One row per snapshot whose garbage summary is kept: the rule it was computed by (a later gcscope
-- with another rule computes it anew and replaces it) and the summary as a JSON object
-- (docs/schema.md lists its members).
CREATE TABLE snapshot_garbage (
    snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots (id),
    rule        INTEGER NOT NULL,
    summary     TEXT    NOT NULL,
    computed_ns INTEGER NOT NULL,
    created_by  TEXT    NOT NULL
);
)sql";

// Snapshot chunks packed (storage/src/SnapshotChunk.h, ChunkLayout::Packed): each field of a chunk's
// objects by its least value and in the fewest bytes, half the bytes of a snapshot on disk. Each
// chunk names its layout; the view lists the objects of every layout. Its SQL decodes numbers whose
// widths each chunk chooses, and is written out by the functions below.
namespace v9 {
// SQL for byte j (0-based, an SQL expression) of the hexadecimal text `x`: the digits' place in
// byte_codes "00,01,...,FF," is 3 * value + 1.
std::string byteAt(const std::string& x, const std::string& j)
{
    return "(instr(t.codes, substr(" + x + ", 2 * (" + j + ") + 1, 2) || ',') / 3)";
}

// SQL for the little-endian unsigned number of `width` bytes (0 to 8) from byte `at` of `x`.
std::string number(const std::string& x, const std::string& at, const std::string& width)
{
    std::string sql = "(";
    for (int k = 0; k < 8; ++k) {
        if (k > 0)
            sql += " | ";
        sql += "(((" + width + " > " + std::to_string(k) + ") * " + byteAt(x, at + " + " + std::to_string(k)) + ") << "
            + std::to_string(8 * k) + ")";
    }
    return sql + ")";
}

// "'00,01,...,FF,'": the literal schema 5's view holds.
std::string byteCodes()
{
    constexpr std::string_view kBefore = "byte_codes(codes) AS (SELECT ";
    const std::size_t at = kVersion5.find(kBefore) + kBefore.size();
    return std::string(kVersion5.substr(at, kVersion5.find(')', at) - at));
}

// "p.a, p.b, p.c" for the list "a, b, c" and the prefix "p.".
std::string prefixed(const std::string& prefix, const std::string& list)
{
    std::string out = prefix;
    for (const char c : list) {
        out += c;
        if (c == ' ')
            out += prefix;
    }
    return out;
}

// "a0, a1, ... a6" and the like.
std::string each(const std::string& name, int from = 0, int to = 7)
{
    std::string list;
    for (int f = from; f < to; ++f)
        list += (f > from ? ", " : "") + name + std::to_string(f);
    return list;
}

// "0 + b0 + b1 ... + b(count-1)": the sum of the first `count` of b0..b6.
std::string sumOf(const std::string& name, int count)
{
    std::string sum = "0";
    for (int f = 0; f < count; ++f)
        sum += " + " + name + std::to_string(f);
    return sum;
}

std::string sql()
{
    // The 29-byte records, decoded as in schema 5 (its view, for rows of layout 0), and its last
    // SELECT, which reads both layouts' rows here.
    const std::string records = std::string(kVersion5.substr(kVersion5.find("  -- each record in hexadecimal")));
    const std::size_t select = records.find("\nSELECT snapshot_id, id, address, type");
    const std::string recordsTail = records.substr(0, select) + ",\n";
    std::string lastSelect = records.substr(select);
    const std::string fromRecords = "\nFROM d\n";
    lastSelect.replace(
        lastSelect.find(fromRecords), fromRecords.size(), "\nFROM (SELECT * FROM d UNION ALL SELECT * FROM e)\n");
    std::string out = R"sql(
-- Which layout each chunk's data has (storage/src/SnapshotChunk.h): 0 records of 29 bytes (what
-- schema 5 to 8 wrote), 1 packed (each field by the chunk's least value, in the fewest bytes).
ALTER TABLE snapshot_chunks ADD COLUMN layout INTEGER NOT NULL DEFAULT 0;

-- Every object of every snapshot as one row, whichever way it is stored, decoded in plain SQL
-- (for browsing with sqlite3, at some microseconds per object; gcscope reads the chunks itself).
DROP VIEW snapshot_object_list;
CREATE VIEW snapshot_object_list (snapshot_id, id, address, type, size, refcount, flags, label, refs) AS
WITH RECURSIVE
  -- "00,01,...,FF,": a byte's two hexadecimal digits and the comma after them are found at 3 * its value + 1
  byte_codes(codes) AS (SELECT )sql"
        + byteCodes() + R"sql(),
  -- layout 0: one row per object of each chunk
  n(chunk, objects, i) AS (
    SELECT rowid, objects, 0 FROM snapshot_chunks WHERE objects > 0 AND layout = 0
    UNION ALL
    SELECT chunk, objects, i + 1 FROM n WHERE i + 1 < objects),
)sql" + recordsTail
        + R"sql(  -- layout 1: each chunk's header in hexadecimal (at most 64 bytes), then its widths: per field
  -- (address, size, refcount, type, label, flags, refs_end) w its width in the records, b its base's
  ph(chunk, objects, x) AS MATERIALIZED (
    SELECT rowid, objects, hex(substr(data, 1, 64)) FROM snapshot_chunks WHERE objects > 0 AND layout = 1),
  pw(chunk, objects, x, shift, )sql"
        + each("w") + ", " + each("b") + R"sql() AS (
    SELECT chunk, objects, x, )sql"
        + byteAt("x", "0");
    for (int f = 0; f < 7; ++f)
        out += ", " + byteAt("x", std::to_string(1 + f)) + " & 15";
    for (int f = 0; f < 7; ++f)
        out += ", " + byteAt("x", std::to_string(1 + f)) + " >> 4";
    out += R"sql(
    FROM ph, byte_codes t),
  -- the bases (after the 8 bytes of shift and widths), where each field starts in a record (o), the
  -- record's width (rw) and the header's (hs)
  pb(chunk, objects, shift, )sql"
        + each("w") + ", " + each("o") + ", rw, hs, " + each("base", 0, 6) + R"sql() AS (
    SELECT chunk, objects, shift, )sql"
        + each("w");
    for (int f = 0; f < 7; ++f)
        out += ", " + sumOf("w", f);
    out += ", " + sumOf("w", 7) + ", 8 + " + sumOf("b", 7);
    for (int f = 0; f < 6; ++f)
        out += ",\n      " + number("x", "8 + " + sumOf("b", f), "b" + std::to_string(f));
    const std::string params = "shift, " + each("w") + ", " + each("o") + ", rw, hs, " + each("base", 0, 6);
    out += R"sql(
    FROM pw, byte_codes t),
  -- one row per object, the chunk's figures carried along
  pn(chunk, objects, i, )sql"
        + params + R"sql() AS (
    SELECT chunk, objects, 0, )sql"
        + params + R"sql( FROM pb
    UNION ALL
    SELECT chunk, objects, i + 1, )sql"
        + params + R"sql( FROM pn WHERE i + 1 < objects),
  -- each record in hexadecimal, behind the one before it (zeros before the first): its
  -- references start where the one before ends
  pr(snapshot_id, id, x, chunk, area, )sql"
        + params + R"sql() AS MATERIALIZED (
    SELECT c.snapshot_id, c.first_id + pn.i,
      hex(CASE WHEN pn.i = 0 THEN zeroblob(pn.rw) || substr(c.data, pn.hs + 1, pn.rw)
               ELSE substr(c.data, pn.hs + pn.rw * (pn.i - 1) + 1, 2 * pn.rw) END),
      c.rowid, 1 + pn.hs + pn.rw * c.objects, )sql";
    out += prefixed("pn.", params);
    const auto fieldOf = [](int f) {
        const std::string i = std::to_string(f);
        return number("x", "rw + o" + i, "w" + i);
    };
    out += R"sql(
    FROM pn JOIN snapshot_chunks c ON c.rowid = pn.chunk),
  e(snapshot_id, id, address, size, refcount, type, label, flags, refs_start, refs_end, chunk, area) AS (
    SELECT snapshot_id, id,
      base0 + ()sql"
        + fieldOf(0) + " << shift),\n      base1 + " + fieldOf(1) + ",\n      base2 + " + fieldOf(2)
        + ",\n      base3 + " + fieldOf(3) + ",\n      CASE " + fieldOf(4) + " WHEN 0 THEN 0 ELSE base4 + " + fieldOf(4)
        + " - 1 END,\n      base5 + " + fieldOf(5) + ",\n      " + number("x", "o6", "w6") + ",\n      " + fieldOf(6)
        + R"sql(,
      chunk, area
    FROM pr, byte_codes t))sql";
    return out + lastSelect;
}
} // namespace v9
} // namespace

std::span<const MigrationStep> schemaMigrations()
{
    static const std::string version9 = v9::sql();
    static const std::array steps {
        MigrationStep { 1, kVersion1 },
        MigrationStep { 2, kVersion2 },
        MigrationStep { 3, kVersion3 },
        MigrationStep { 4, kVersion4 },
        MigrationStep { 5, kVersion5 },
        MigrationStep { 6, kVersion6 },
        MigrationStep { 7, kVersion7 },
        MigrationStep { 8, kVersion8 },
        MigrationStep { 9, version9 },
    };
    static_assert(std::tuple_size_v<decltype(steps)> == kSchemaVersion, "kSchemaVersion must name the last step");
    return steps;
}

} // namespace gcscope::storage

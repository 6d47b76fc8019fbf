// libFuzzer target: every decoder of the wire protocol (gcscope/wire.h) on arbitrary bytes.
//
// A hostile or broken peer controls every byte the other side decodes: the profiler (often root)
// reads what an agent inside an untrusted target sends, and the agent reads what arrives on its
// socket. Besides "no crash, no out-of-bounds read, no huge allocation", each decoder must be
// canonical: what it accepts, encode() gives back byte for byte (so nothing is silently skipped).
#include <gcscope/wire.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

using namespace gcscope::wire;

template <typename Record> void decodeAndReencode(std::string_view payload, const char* name)
{
    auto record = decodeAs<Record>(payload);
    if (!record)
        return;
    Encoder again;
    record->encode(again);
    if (again.bytes() != payload) {
        std::fprintf(
            stderr, "%s: decode then encode changed the bytes (%zu -> %zu)\n", name, payload.size(), again.size());
        std::abort();
    }
}

void decodeHeaderOf(std::string_view bytes)
{
    if (bytes.size() < kHeaderSize)
        return;
    FrameHeader header;
    const HeaderError error = decodeHeader(bytes.data(), header);
    if (error != HeaderError::None) {
        if (describe(error)[0] == '?')
            std::abort(); // every error has a description
        return;
    }
    if (header.length > kMaxPayload || !isKnownType(static_cast<std::uint16_t>(header.type)))
        std::abort();
    if (encodeHeader(header.type, header.length) != bytes.substr(0, kHeaderSize))
        std::abort();
}

void parseConfig(std::string_view text)
{
    auto config = AgentConfig::parse(text);
    if (!config)
        return;
    if (config->token.size() != kTokenHexLength || config->socketPath.empty())
        std::abort();
    // What parse accepts it accepts again in canonical form. (Paths holding ';' or '=' cannot be
    // expressed; the profiler never makes one.)
    if (config->socketPath.find_first_of(";=") == std::string::npos) {
        auto again = AgentConfig::parse(config->format());
        if (!again || again->socketPath != config->socketPath || again->token != config->token)
            std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    decodeHeaderOf(bytes);
    parseConfig(bytes);
    // Every record decoder sees the same payload: a frame's type says which one runs, and the
    // fuzzer should not have to guess it.
    decodeAndReencode<HelloRecord>(bytes, "Hello");
    decodeAndReencode<SampleRecord>(bytes, "Sample");
    decodeAndReencode<GcEventsRecord>(bytes, "GcEvents");
    decodeAndReencode<CensusRecord>(bytes, "Census");
    decodeAndReencode<ErrorRecord>(bytes, "Error");
    decodeAndReencode<ByeRecord>(bytes, "Bye");
    decodeAndReencode<AckRecord>(bytes, "Ack");
    decodeAndReencode<ConfigureRecord>(bytes, "Configure");
    decodeAndReencode<CollectRecord>(bytes, "Collect");
    decodeAndReencode<SnapshotRequestRecord>(bytes, "SnapshotRequest");
    decodeAndReencode<SnapshotBeginRecord>(bytes, "SnapshotBegin");
    decodeAndReencode<SnapshotStringsRecord>(bytes, "SnapshotStrings");
    decodeAndReencode<SnapshotObjectsRecord>(bytes, "SnapshotObjects");
    decodeAndReencode<SnapshotRefcountsRecord>(bytes, "SnapshotRefcounts");
    decodeAndReencode<SnapshotEndRecord>(bytes, "SnapshotEnd");
    // The payload after a header, as a frame delivers it.
    if (size > kHeaderSize) {
        decodeAndReencode<SnapshotObjectsRecord>(bytes.substr(kHeaderSize), "SnapshotObjects+16");
        decodeAndReencode<CensusRecord>(bytes.substr(kHeaderSize), "Census+16");
    }
    return 0;
}

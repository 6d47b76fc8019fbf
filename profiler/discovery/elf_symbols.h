// A small, std-only reader of the symbols of an ELF64 file on disk: .dynsym (with GNU symbol
// versions, so `dlopen` in glibc 2.34+ is dlopen@@GLIBC_2.34, not the compat dlopen@GLIBC_2.2.5)
// and .symtab when present. Used to find functions and variables in a target process without
// running anything in it: add the load bias from /proc/PID/maps to a symbol's value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gcscope::discovery {

struct ElfSymbol {
    std::string name;
    std::uint64_t value = 0; // link-time virtual address
    std::uint64_t size = 0;
    unsigned char type = 0; // STT_*
    unsigned char binding = 0; // STB_*
    std::string version; // "GLIBC_2.34" for versioned dynamic symbols, else empty
    bool defaultVersion = true; // false for a non-default (hidden) version: name@VERSION
};

class ElfSymbols {
public:
    enum class Tables {
        Dynamic, // .dynsym only: enough for exported names, and cheap on large files with debug info
        All, // .dynsym and .symtab: also local functions, for naming stack frames
    };

    // nullopt with `error` (one line naming the file) when the file is unreadable or not an x86-64 ELF64.
    static std::optional<ElfSymbols> load(const std::string& path, std::string& error, Tables = Tables::All);

    const std::string& path() const { return path_; }
    bool isPositionIndependent() const { return positionIndependent_; } // ET_DYN: shared object or PIE

    // The defined symbol `name`: its default version when versioned, a global one before a weak one.
    const ElfSymbol* find(std::string_view name) const;
    const std::vector<ElfSymbol>& symbols() const { return symbols_; }

    // Every name of the function whose code contains `vaddr` (aliases share an address, e.g.
    // malloc and __libc_malloc); empty when no sized function symbol covers it.
    std::vector<std::string_view> functionNamesAt(std::uint64_t vaddr) const;

    // Link-time address <-> file offset, through the PT_LOAD segments.
    std::optional<std::uint64_t> fileOffsetOf(std::uint64_t vaddr) const;
    std::optional<std::uint64_t> vaddrOfFileOffset(std::uint64_t offset) const;

    // `size` bytes at a link-time address, read from the file (initialised data and code only).
    std::optional<std::vector<std::uint8_t>> readAt(std::uint64_t vaddr, std::size_t size) const;

    struct LoadSegment {
        std::uint64_t vaddr = 0, offset = 0, fileSize = 0, memSize = 0;
    };
    // The .eh_frame_hdr (PT_GNU_EH_FRAME): the binary-search table of the unwind information.
    const std::optional<LoadSegment>& ehFrameHeader() const { return ehFrameHeader_; }
    // The range of link-time addresses the PT_LOAD segments cover.
    std::pair<std::uint64_t, std::uint64_t> loadedRange() const;

private:
    std::string path_;
    bool positionIndependent_ = false;
    std::vector<LoadSegment> loads_;
    std::optional<LoadSegment> ehFrameHeader_;
    std::vector<ElfSymbol> symbols_;
    std::unordered_map<std::string, std::size_t> byName_; // defined symbols only
    std::vector<std::size_t> functionsByAddress_; // sized functions, sorted by value
    friend class ElfSymbolsLoader;
};

} // namespace gcscope::discovery

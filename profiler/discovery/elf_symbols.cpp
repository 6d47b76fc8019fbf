#include "discovery/elf_symbols.h"

#include <algorithm>
#include <cstring>
#include <elf.h>
#include <fstream>

namespace gcscope::discovery {

namespace {
constexpr std::uint16_t kVersionHidden = 0x8000; // .gnu.version: not the default version
constexpr std::uint16_t kVersionIndexMask = 0x7fff;

// Bounded reads from the file: every offset and size in an ELF file is untrusted.
class FileReader {
public:
    explicit FileReader(const std::string& path)
        : in_(path, std::ios::binary)
    {
        if (in_) {
            in_.seekg(0, std::ios::end);
            size_ = static_cast<std::uint64_t>(in_.tellg());
        }
    }
    bool isOpen() const { return static_cast<bool>(in_); }

    bool read(std::uint64_t offset, void* out, std::uint64_t size)
    {
        if (offset > size_ || size > size_ - offset)
            return false;
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(offset));
        in_.read(static_cast<char*>(out), static_cast<std::streamsize>(size));
        return static_cast<std::uint64_t>(in_.gcount()) == size;
    }

    template <typename T> bool readArray(std::uint64_t offset, std::uint64_t count, std::vector<T>& out)
    {
        if (count > size_ / sizeof(T))
            return false;
        out.resize(count);
        return read(offset, out.data(), count * sizeof(T));
    }

private:
    std::ifstream in_;
    std::uint64_t size_ = 0;
};

std::string_view stringAt(const std::vector<char>& table, std::uint64_t offset)
{
    if (offset >= table.size())
        return {};
    const char* begin = table.data() + offset;
    const void* nul = std::memchr(begin, '\0', table.size() - offset);
    return nul ? std::string_view(begin, static_cast<const char*>(nul) - begin) : std::string_view {};
}

// Higher is better when two symbols share a name.
int preference(const ElfSymbol& s)
{
    const int version = s.defaultVersion ? 4 : 0;
    const int binding = s.binding == STB_GLOBAL ? 2 : s.binding == STB_WEAK ? 1 : 0;
    return version + binding;
}
} // namespace

class ElfSymbolsLoader {
public:
    ElfSymbolsLoader(ElfSymbols& out, const std::string& path)
        : out_(out)
        , file_(path)
    {
    }

    bool load(ElfSymbols::Tables tables, std::string& error)
    {
        if (!file_.isOpen())
            return fail(error, "cannot open " + out_.path_ + ": " + std::strerror(errno));
        if (!readHeader(error) || !readSegments(error) || !readSections(error))
            return false;
        for (std::size_t i = 0; i < sections_.size(); ++i) {
            const auto type = sections_[i].sh_type;
            if (type == SHT_DYNSYM || (type == SHT_SYMTAB && tables == ElfSymbols::Tables::All))
                readSymbolTable(i);
        }
        index();
        return true;
    }

private:
    bool fail(std::string& error, std::string message)
    {
        error = std::move(message);
        return false;
    }

    bool readHeader(std::string& error)
    {
        if (!file_.read(0, &header_, sizeof header_) || std::memcmp(header_.e_ident, ELFMAG, SELFMAG) != 0)
            return fail(error, out_.path_ + " is not an ELF file");
        if (header_.e_ident[EI_CLASS] != ELFCLASS64 || header_.e_ident[EI_DATA] != ELFDATA2LSB
            || header_.e_machine != EM_X86_64)
            return fail(error, out_.path_ + " is not an x86-64 ELF64 file");
        out_.positionIndependent_ = header_.e_type == ET_DYN;
        return true;
    }

    bool readSegments(std::string& error)
    {
        std::vector<Elf64_Phdr> phdrs;
        if (header_.e_phentsize != sizeof(Elf64_Phdr) || !file_.readArray(header_.e_phoff, header_.e_phnum, phdrs))
            return fail(error, out_.path_ + ": unreadable program headers");
        for (const auto& p : phdrs) {
            if (p.p_type == PT_LOAD)
                out_.loads_.push_back({ p.p_vaddr, p.p_offset, p.p_filesz, p.p_memsz });
            else if (p.p_type == PT_GNU_EH_FRAME)
                out_.ehFrameHeader_ = ElfSymbols::LoadSegment { p.p_vaddr, p.p_offset, p.p_filesz, p.p_memsz };
        }
        return true;
    }

    bool readSections(std::string& error)
    {
        if (header_.e_shoff == 0)
            return true; // no section headers: no symbols, still usable for address translation
        std::uint64_t count = header_.e_shnum;
        if (header_.e_shentsize != sizeof(Elf64_Shdr))
            return fail(error, out_.path_ + ": unexpected section header size");
        if (count == 0) { // more than SHN_LORESERVE sections: the count lives in section 0
            Elf64_Shdr first {};
            if (!file_.read(header_.e_shoff, &first, sizeof first))
                return fail(error, out_.path_ + ": unreadable section headers");
            count = first.sh_size;
        }
        if (!file_.readArray(header_.e_shoff, count, sections_))
            return fail(error, out_.path_ + ": unreadable section headers");
        return true;
    }

    std::vector<char> readStrings(std::size_t sectionIndex)
    {
        std::vector<char> strings;
        if (sectionIndex < sections_.size() && sections_[sectionIndex].sh_type == SHT_STRTAB)
            file_.readArray(sections_[sectionIndex].sh_offset, sections_[sectionIndex].sh_size, strings);
        return strings;
    }

    const Elf64_Shdr* sectionOfType(std::uint32_t type) const
    {
        auto it = std::find_if(sections_.begin(), sections_.end(), [&](auto& s) { return s.sh_type == type; });
        return it == sections_.end() ? nullptr : &*it;
    }

    // .gnu.version_d: version index -> name, for the versions this file defines.
    std::unordered_map<std::uint16_t, std::string> readVersionDefinitions()
    {
        std::unordered_map<std::uint16_t, std::string> names;
        const Elf64_Shdr* verdef = sectionOfType(SHT_GNU_verdef);
        if (!verdef)
            return names;
        const std::vector<char> strings = readStrings(verdef->sh_link);
        std::uint64_t offset = verdef->sh_offset;
        for (std::uint64_t i = 0; i < verdef->sh_info && i < 4096; ++i) {
            Elf64_Verdef def {};
            Elf64_Verdaux aux {};
            if (!file_.read(offset, &def, sizeof def) || !file_.read(offset + def.vd_aux, &aux, sizeof aux))
                break;
            names[def.vd_ndx] = std::string(stringAt(strings, aux.vda_name));
            if (def.vd_next == 0)
                break;
            offset += def.vd_next;
        }
        return names;
    }

    void readSymbolTable(std::size_t sectionIndex)
    {
        const Elf64_Shdr& table = sections_[sectionIndex];
        std::vector<Elf64_Sym> symbols;
        if (table.sh_entsize != sizeof(Elf64_Sym)
            || !file_.readArray(table.sh_offset, table.sh_size / sizeof(Elf64_Sym), symbols))
            return;
        const std::vector<char> strings = readStrings(table.sh_link);

        std::vector<std::uint16_t> versions;
        std::unordered_map<std::uint16_t, std::string> versionNames;
        if (table.sh_type == SHT_DYNSYM) {
            if (const Elf64_Shdr* versym = sectionOfType(SHT_GNU_versym))
                file_.readArray(versym->sh_offset, versym->sh_size / sizeof(std::uint16_t), versions);
            versionNames = readVersionDefinitions();
        }

        for (std::size_t i = 0; i < symbols.size(); ++i) {
            const Elf64_Sym& raw = symbols[i];
            if (raw.st_shndx == SHN_UNDEF || raw.st_name == 0)
                continue; // only what this file defines
            ElfSymbol s;
            s.name = std::string(stringAt(strings, raw.st_name));
            s.value = raw.st_value;
            s.size = raw.st_size;
            s.type = ELF64_ST_TYPE(raw.st_info);
            s.binding = ELF64_ST_BIND(raw.st_info);
            if (i < versions.size()) {
                s.defaultVersion = (versions[i] & kVersionHidden) == 0;
                if (auto it = versionNames.find(versions[i] & kVersionIndexMask); it != versionNames.end())
                    s.version = it->second;
            }
            if (!s.name.empty())
                out_.symbols_.push_back(std::move(s));
        }
    }

    void index()
    {
        auto& symbols = out_.symbols_;
        for (std::size_t i = 0; i < symbols.size(); ++i) {
            const ElfSymbol& s = symbols[i];
            auto [it, inserted] = out_.byName_.try_emplace(s.name, i);
            if (!inserted && preference(s) > preference(symbols[it->second]))
                it->second = i;
            if ((s.type == STT_FUNC || s.type == STT_GNU_IFUNC) && s.size > 0)
                out_.functionsByAddress_.push_back(i);
        }
        std::sort(out_.functionsByAddress_.begin(), out_.functionsByAddress_.end(),
            [&](std::size_t a, std::size_t b) { return symbols[a].value < symbols[b].value; });
    }

    ElfSymbols& out_;
    FileReader file_;
    Elf64_Ehdr header_ {};
    std::vector<Elf64_Shdr> sections_;
};

std::optional<ElfSymbols> ElfSymbols::load(const std::string& path, std::string& error, Tables tables)
{
    ElfSymbols symbols;
    symbols.path_ = path;
    ElfSymbolsLoader loader(symbols, path);
    if (!loader.load(tables, error))
        return std::nullopt;
    return symbols;
}

const ElfSymbol* ElfSymbols::find(std::string_view name) const
{
    auto it = byName_.find(std::string(name));
    return it == byName_.end() ? nullptr : &symbols_[it->second];
}

std::vector<std::string_view> ElfSymbols::functionNamesAt(std::uint64_t vaddr) const
{
    std::vector<std::string_view> names;
    auto after = std::upper_bound(functionsByAddress_.begin(), functionsByAddress_.end(), vaddr,
        [&](std::uint64_t address, std::size_t i) { return address < symbols_[i].value; });
    if (after == functionsByAddress_.begin())
        return names;
    const std::uint64_t start = symbols_[*std::prev(after)].value;
    for (auto it = std::prev(after);; --it) {
        const ElfSymbol& s = symbols_[*it];
        if (s.value != start)
            break;
        const bool seen = std::find(names.begin(), names.end(), s.name) != names.end();
        if (vaddr - s.value < s.size && !seen)
            names.push_back(s.name);
        if (it == functionsByAddress_.begin())
            break;
    }
    return names;
}

std::pair<std::uint64_t, std::uint64_t> ElfSymbols::loadedRange() const
{
    std::uint64_t low = UINT64_MAX, high = 0;
    for (const auto& seg : loads_) {
        low = std::min(low, seg.vaddr);
        high = std::max(high, seg.vaddr + seg.memSize);
    }
    return loads_.empty() ? std::pair<std::uint64_t, std::uint64_t> { 0, 0 } : std::pair { low, high };
}

std::optional<std::uint64_t> ElfSymbols::fileOffsetOf(std::uint64_t vaddr) const
{
    for (const auto& seg : loads_) {
        if (vaddr >= seg.vaddr && vaddr - seg.vaddr < seg.fileSize)
            return seg.offset + (vaddr - seg.vaddr);
    }
    return std::nullopt;
}

std::optional<std::uint64_t> ElfSymbols::vaddrOfFileOffset(std::uint64_t offset) const
{
    // A mapping may start at the page below a segment's offset (segments are page-aligned in
    // memory, not in the file), so match on the page-aligned range.
    constexpr std::uint64_t kPage = 4096;
    for (const auto& seg : loads_) {
        const std::uint64_t alignedOffset = seg.offset & ~(kPage - 1);
        if (offset >= alignedOffset && offset < seg.offset + std::max(seg.fileSize, std::uint64_t { 1 }))
            return seg.vaddr - (seg.offset - offset);
    }
    return std::nullopt;
}

std::optional<std::vector<std::uint8_t>> ElfSymbols::readAt(std::uint64_t vaddr, std::size_t size) const
{
    auto offset = fileOffsetOf(vaddr);
    if (size == 0 || !offset || !fileOffsetOf(vaddr + size - 1))
        return std::nullopt;
    FileReader file(path_);
    std::vector<std::uint8_t> bytes(size);
    if (!file.read(*offset, bytes.data(), size))
        return std::nullopt;
    return bytes;
}

} // namespace gcscope::discovery

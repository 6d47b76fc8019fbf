#include "report/ObjectNamer.h"

#include <algorithm>

namespace gcscope::report {

using namespace analysis;

namespace {

bool contains(const std::vector<std::uint32_t>& ids, std::uint32_t id)
{
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool isIdentifier(std::string_view s)
{
    if (s.empty() || (s[0] >= '0' && s[0] <= '9'))
        return false;
    return std::all_of(s.begin(), s.end(),
        [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::string quoted(std::string_view s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "'";
}

} // namespace

ObjectNamer::ObjectNamer(const HeapGraph& graph)
    : graph_(graph)
    , dictLabels_(graph.stringIdsOf("__dict__"))
    , mroLabels_(graph.stringIdsOf("__mro__"))
    , parent_(graph.objectCount(), kNoObject)
    , reached_(graph.objectCount(), 0)
{
    std::vector<ObjectId> queue;
    // The modules' type indices first: a type name compared per object took a string compare for
    // every object of a big heap.
    std::vector<std::uint8_t> moduleType(graph.typeNames.size(), 0);
    for (std::size_t t = 0; t < graph.typeNames.size(); ++t)
        moduleType[t] = graph.typeNames[t] == "module";
    for (ObjectId o = 0; o < graph.objectCount(); ++o)
        if (moduleType[graph.type[o]] && !graph.labelText(o).empty())
            queue.push_back(o);
    // __main__ first: where two modules reach an object equally fast, the program's own name wins.
    std::stable_partition(queue.begin(), queue.end(), [&](ObjectId o) { return graph.labelText(o) == "__main__"; });
    for (ObjectId o : queue)
        reached_[o] = 1;
    for (std::size_t head = 0; head < queue.size(); ++head) {
        const ObjectId v = queue[head];
        for (const ObjectId w : graph.referents(v)) {
            if (reached_[w])
                continue;
            reached_[w] = 1;
            parent_[w] = v;
            queue.push_back(w);
        }
    }
}

std::uint32_t ObjectNamer::labelFrom(ObjectId parent, ObjectId object) const
{
    const auto targets = graph_.referents(parent);
    const auto at = std::find(targets.begin(), targets.end(), object);
    return at == targets.end() ? kNoEdgeLabel : graph_.referentLabels(parent)[at - targets.begin()];
}

bool ObjectNamer::isModule(ObjectId id) const
{
    return graph_.typeName(id) == "module";
}

bool ObjectNamer::isClass(ObjectId id) const
{
    if (graph_.typeName(id) == "type")
        return true;
    if (mroLabels_.empty())
        return false;
    for (const auto label : graph_.referentLabels(id))
        if (contains(mroLabels_, label))
            return true;
    return false;
}

bool ObjectNamer::isClassObject(const HeapGraph& graph, ObjectId id)
{
    if (graph.typeName(id) == "type")
        return true;
    for (auto label : graph.referentLabels(id))
        if (isNameLabel(label) && graph.strings[label] == "__mro__")
            return true;
    return false;
}

std::string ObjectNamer::expression(ObjectId id) const
{
    if (id >= graph_.objectCount() || !reached_[id])
        return {};
    std::vector<ObjectId> chain { id };
    for (ObjectId v = id; parent_[v] != kNoObject; v = parent_[v])
        chain.push_back(parent_[v]);
    std::reverse(chain.begin(), chain.end());

    std::string out(graph_.labelText(chain.front()));
    bool inNamespace = false; // the current object is a module's, class's or instance's __dict__
    for (std::size_t i = 1; i < chain.size(); ++i) {
        const ObjectId from = chain[i - 1];
        const std::uint32_t label = labelFrom(from, chain[i]);
        const bool fromNamespace = inNamespace;
        inNamespace = false;
        if (label == kNoEdgeLabel && graph_.typeName(from) == "_thread._local" && graph_.typeName(chain[i]) == "dict") {
            // A threading.local's per-thread dicts, inside its own table of them: code reaches what
            // they hold as tls.name.
            if (i + 1 < chain.size() && labelFrom(chain[i], chain[i + 1]) == kNoEdgeLabel
                && graph_.typeName(chain[i + 1]) == "dict")
                ++i;
            inNamespace = true;
        } else if (label == kNoEdgeLabel) {
            out += "[?]";
        } else if (isIndexLabel(label)) {
            out += "[" + std::to_string(labelIndex(label)) + "]";
        } else if (contains(dictLabels_, label) && graph_.typeName(from) != "dict") {
            inNamespace = true; // module.__dict__, Class.__dict__, instance.__dict__: names follow
        } else {
            const std::string_view name = graph_.strings[label];
            const auto& fromType = graph_.typeName(from);
            const bool dictLike = fromType == "dict" || fromType == "collections.OrderedDict"
                || fromType == "collections.defaultdict" || fromType == "collections.Counter";
            const bool attribute = fromNamespace || !dictLike;
            if (attribute && isIdentifier(name))
                out += "." + std::string(name);
            else
                out += "[" + quoted(name) + "]";
        }
    }
    return out;
}

} // namespace gcscope::report

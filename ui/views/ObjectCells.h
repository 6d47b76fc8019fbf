// The columns every object row of the inspector shares (type, address, label, shallow and retained
// size), rendered the same way in the instance list and in the reference, path and dominator trees.
#pragma once

#include "analysis/HeapGraph.h"

#include <QVariant>

namespace gcscope::ui {

struct SnapshotAnalysis;

enum class ObjectField { Type, Address, Label, Shallow, Retained, Distance, Refcount };

// Display, sort, alignment, tooltip and the object roles (ObjectIdRole, AddressRole, TypeNameRole).
QVariant objectCell(const SnapshotAnalysis& a, analysis::ObjectId id, ObjectField field, int role);
QString objectHeaderText(ObjectField field);
// An object's label (HeapGraph::labelText, UTF-8) as a QString.
QString labelString(const analysis::HeapGraph& graph, analysis::ObjectId id);

// "__main__.Request @ 0x7f… 'label'" for titles and tooltips.
QString describeObject(const SnapshotAnalysis& a, analysis::ObjectId id);
// What the analysis knows about why the object lives: root kind, garbage, distance from the roots.
QString objectStatus(const SnapshotAnalysis& a, analysis::ObjectId id);

} // namespace gcscope::ui

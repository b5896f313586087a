/// The change lines of a plan: what differs between a stored definition and
/// the file's, phrased for people (`~ ttl: 1d → 2d`).
enum Diff {
    /// The differences between two versions of a table with the same entities.
    /// Removing or retyping a feature is breaking; everything else is not.
    static func table(from old: FeatureTableDefinition, to new: FeatureTableDefinition) -> [ApplyPlan.Change] {
        var changes: [ApplyPlan.Change] = []
        let newNames = Set(new.features.map(\.name))
        for feature in old.features where !newNames.contains(feature.name) {
            changes.append(.init(.removed, "feature \(feature.name)", breaking: true))
        }
        for feature in new.features {
            guard let before = old.feature(named: feature.name) else {
                changes.append(.init(.added, "feature \(feature.name): \(feature.type)"))
                continue
            }
            let subject = "feature \(feature.name)"
            if before.type != feature.type {
                changes.append(.init(.modified, "\(subject): \(before.type) → \(feature.type)", breaking: true))
            }
            changes += text("\(subject) description", before.description, feature.description)
            changes += tags("\(subject) tags", before.tags, feature.tags)
            if before.expect != feature.expect {
                changes.append(.init(.modified, "\(subject) expect: \(expectation(before.expect)) → "
                                     + "\(expectation(feature.expect))"))
            }
        }
        let oldNames = Set(old.features.map(\.name))
        let keptOld = old.features.map(\.name).filter(newNames.contains)
        let keptNew = new.features.map(\.name).filter(oldNames.contains)
        if keptOld != keptNew {
            changes.append(.init(.modified, "feature order: \(keptOld.joined(separator: ", ")) → "
                                 + keptNew.joined(separator: ", ")))
        }
        if old.ttlMicros != new.ttlMicros {
            changes.append(.init(.modified, "ttl: \(DurationText.format(micros: old.ttlMicros)) → "
                                 + DurationText.format(micros: new.ttlMicros)))
        }
        if old.timestampField != new.timestampField {
            changes.append(.init(.modified, "timestamp_field: \(old.timestampField) → \(new.timestampField)"))
        }
        if old.createdTimestampField != new.createdTimestampField {
            changes.append(.init(.modified, "created_timestamp_field: \(old.createdTimestampField ?? "(none)") → "
                                 + (new.createdTimestampField ?? "(none)")))
        }
        changes += text("description", old.description, new.description)
        changes += tags("tags", old.tags, new.tags)
        return changes
    }

    /// `~ subject: "old" → "new"` when the texts differ.
    static func text(_ subject: String, _ old: String?, _ new: String?) -> [ApplyPlan.Change] {
        guard old != new else { return [] }
        func show(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "(none)" }
        return [.init(.modified, "\(subject): \(show(old)) → \(show(new))")]
    }

    /// `~ subject: {a: 1} → {a: 2}` when the maps differ.
    static func tags(_ subject: String, _ old: [String: String], _ new: [String: String]) -> [ApplyPlan.Change] {
        guard old != new else { return [] }
        return [.init(.modified, "\(subject): \(map(old)) → \(map(new))")]
    }

    /// `+ ref` / `- ref` lines for two lists of refs, or one `~ what: …` line
    /// when only the order changed.
    static func list(_ old: [String], _ new: [String], what: String) -> [ApplyPlan.Change] {
        let removed = old.filter { !new.contains($0) }.map { ApplyPlan.Change(.removed, $0) }
        let added = new.filter { !old.contains($0) }.map { ApplyPlan.Change(.added, $0) }
        if removed.isEmpty && added.isEmpty && old != new {
            return [.init(.modified, "\(what): \(old.joined(separator: ", ")) → \(new.joined(separator: ", "))")]
        }
        return removed + added
    }

    /// `user_id: int64, region: string`.
    static func joinKeys(_ keys: [JoinKey]) -> String {
        keys.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
    }

    /// `{team: risk}`, keys sorted.
    static func map(_ tags: [String: String]) -> String {
        "{" + tags.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }

    /// `{min: 300, max: 850, not_null: true, in: [1, 2]}`, as in the file.
    static func expectation(_ e: Expectation?) -> String {
        guard let e else { return "{}" }
        var parts: [String] = []
        if let min = e.min { parts.append("min: \(ExpectLiteral.number(min))") }
        if let max = e.max { parts.append("max: \(ExpectLiteral.number(max))") }
        if e.notNull { parts.append("not_null: true") }
        if let allowed = e.allowed { parts.append("in: [\(allowed.map(\.description).joined(separator: ", "))]") }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

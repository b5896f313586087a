import FeatureStore
import LMDB

/// What ``ModelRegistry/setAlias(_:_:version:canary:logPredictions:require:by:)`` did.
public struct AliasChange: Sendable, Equatable {
    /// The alias as it is now.
    public var alias: ModelAlias
    /// The alias before, if it existed.
    public var previous: ModelAlias?
    /// The history entry, or nil when the alias already pointed exactly so.
    public var move: AliasMove?
    /// Whether anything changed.
    public var changed: Bool { move != nil }
}

extension ModelRegistry {
    /// Points `name@alias` at `version`, with optional canary splits, when
    /// every quality gate passes on every version that would receive traffic
    /// (the target and each canary). Records the move in the history.
    ///
    /// `logPredictions` turns the alias's automatic prediction log on or off
    /// (``ModelAlias/logPredictions``); nil keeps what the alias had (off for a
    /// new alias). Changing only that setting is a move too.
    ///
    /// - Throws: ``QualityGateFailure`` when a gate fails (nothing changes);
    ///   ``FeatureStoreError`` for an unknown model, version or metric, an
    ///   invalid alias or canary (nothing changes either).
    ///
    /// ```swift
    /// try registry.setAlias("churn", "production", version: 3,
    ///                       canary: [CanarySplit(version: 4, percent: 10)],
    ///                       require: [try QualityGate(parsing: "auc>=0.85")])
    /// ```
    @discardableResult
    public func setAlias(_ name: String, _ alias: String, version: Int, canary: [CanarySplit] = [],
                         logPredictions: Bool? = nil, require gates: [QualityGate] = [],
                         by actor: String = ModelRegistry.currentActor()) throws -> AliasChange {
        try ModelName.validateAlias(alias)
        let db = try writable()
        return try store.environment.write { txn in
            var model = try requireModel(name, db, txn)
            let target = try requireVersion(model, version, db, txn)
            var receiving = [target]
            var seen: Set<Int> = [version]
            for split in canary {
                guard seen.insert(split.version).inserted else {
                    throw RegistryError.invalid("canary version \(split.version) is given twice, or is the alias's own version")
                }
                receiving.append(try requireVersion(model, split.version, db, txn))
            }
            let canaryTotal = canary.reduce(0) { $0 + $1.percent }
            guard canaryTotal < 100 else {
                throw RegistryError.invalid("canary shares add up to \(MetricText.format(canaryTotal))%; "
                                            + "they must leave some traffic to version \(version)")
            }
            try checkGates(gates, on: receiving, model: name, alias: alias)
            let previous = try loadAlias(name, alias, db, txn)
            let logs = logPredictions ?? previous?.logPredictions ?? false
            if let previous, previous.version == version, previous.canary == canary, previous.logPredictions == logs {
                return AliasChange(alias: previous, previous: previous, move: nil)
            }
            let now = Clock.nowMicros()
            let record = ModelAlias(model: name, alias: alias, version: version, canary: canary, setAtMicros: now, setBy: actor,
                                    logPredictions: logs)
            try putAlias(record, db, &txn)
            try recordAliasLineage(record, &txn)
            var move = AliasMove(model: name, sequence: 0, alias: alias, action: .set, fromVersion: previous?.version,
                                 toVersion: version, fromCanary: previous?.canary ?? [], toCanary: canary,
                                 gates: gates.map(\.description), atMicros: now, by: actor,
                                 fromLogPredictions: previous?.logPredictions, toLogPredictions: logs)
            try recordMove(&move, model: &model, db, &txn)
            return AliasChange(alias: record, previous: previous, move: move)
        }
    }

    /// Throws an invalid-input error for a gate on a metric a version lacks,
    /// and ``QualityGateFailure`` listing every failed gate.
    func checkGates(_ gates: [QualityGate], on versions: [ModelVersion], model: String, alias: String) throws {
        var failures: [QualityGateFailure.Failed] = []
        for v in versions {
            for gate in gates {
                guard let value = v.metrics[gate.metric] else {
                    let names = v.metrics.keys.sorted()
                    let hint = NameSuggestionHint.hint(gate.metric, names)
                    throw RegistryError.invalid("quality gate '\(gate)': model version \(v.ref) has no metric '\(gate.metric)'"
                                                + (hint.isEmpty ? NameSuggestionHint.known("metric", names) : hint))
                }
                if !gate.passes(value) { failures.append(.init(version: v.version, gate: gate, value: value)) }
            }
        }
        if !failures.isEmpty { throw QualityGateFailure(model: model, alias: alias, failures: failures) }
    }

    /// Removes `name@alias` and records it in the history; returns the entry.
    @discardableResult
    public func deleteAlias(_ name: String, _ alias: String, by actor: String = ModelRegistry.currentActor()) throws -> AliasMove {
        let db = try writable()
        return try store.environment.write { txn in
            var model = try requireModel(name, db, txn)
            let existing = try requireAlias(model, alias, db, txn)
            try txn.delete(RegistryKeys.alias(name, alias), in: db.aliases)
            try store.removeLineageNode(.alias(name, alias), in: &txn)
            var move = AliasMove(model: name, sequence: 0, alias: alias, action: .delete, fromVersion: existing.version,
                                 toVersion: nil, fromCanary: existing.canary, toCanary: [], gates: [],
                                 atMicros: Clock.nowMicros(), by: actor, fromLogPredictions: existing.logPredictions)
            try recordMove(&move, model: &model, db, &txn)
            return move
        }
    }
}

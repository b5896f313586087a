import FeatureStore
import ModelRegistry
import Tabular

/// JSON shapes and text of the model registry's commands (docs/cli.md,
/// docs/registry.md). Keys are snake_case; times are ISO-8601.

struct ModelInputJSON: Encodable {
    var ref: String
    var table: String
    var table_version: Int
    var feature: String
    var type: String
}

struct CanaryJSON: Encodable {
    var version: Int
    var percent: Double
}

/// One model version (`models show NAME/V`, `register --json`).
struct ModelVersionJSON: Encodable {
    var kind = "model_version"
    var model: String
    var version: Int
    var ref: String
    var format: String
    var sha256: String
    var size: Int
    var artifact_name: String
    var inputs: [ModelInputJSON]
    var feature_refs: [String]
    var service: String?
    var training_set: String?
    var metrics: [String: Double]
    var params: [String: String]
    var tags: [String: String]
    var description: String?
    var created_at: String
    var created_by: String
    var updated_at: String?
    /// Aliases that send traffic to this version.
    var aliases: [String]

    init(_ v: ModelVersion, aliases: [ModelAlias]) {
        model = v.model; version = v.version; ref = v.ref; format = v.format.rawValue; sha256 = v.sha256
        size = v.size; artifact_name = v.artifactName
        inputs = v.inputs.map {
            ModelInputJSON(ref: $0.ref, table: $0.table, table_version: $0.tableVersion, feature: $0.feature, type: $0.type)
        }
        feature_refs = v.featureRefs; service = v.service; training_set = v.trainingSet
        metrics = v.metrics; params = v.params; tags = v.tags; description = v.description
        created_at = Timestamp.format(v.createdAtMicros); created_by = v.createdBy
        updated_at = v.updatedAtMicros.map(Timestamp.format)
        self.aliases = aliases.filter { $0.versions.contains(v.version) }.map(\.alias)
    }
}

struct AliasJSON: Encodable {
    var alias: String
    var version: Int
    var canary: [CanaryJSON]
    var set_at: String
    var set_by: String
    var log_predictions: Bool

    init(_ a: ModelAlias) {
        alias = a.alias; version = a.version
        canary = a.canary.map { CanaryJSON(version: $0.version, percent: $0.percent) }
        set_at = Timestamp.format(a.setAtMicros); set_by = a.setBy; log_predictions = a.logPredictions
    }
}

/// One model in `models list` / `fsctl list`.
struct ModelRowJSON: Encodable {
    var name: String
    var versions: [Int]
    var latest_version: Int?
    var aliases: [String: Int]
    /// Whether each alias logs its predictions (`alias set --log-predictions`).
    var log_predictions: [String: Bool]
    var created_at: String
    var updated_at: String

    init(_ s: ModelSummary) {
        name = s.model.name; versions = s.versions.map(\.version); latest_version = s.latest?.version
        aliases = Dictionary(uniqueKeysWithValues: s.aliases.map { ($0.alias, $0.version) })
        log_predictions = Dictionary(uniqueKeysWithValues: s.aliases.map { ($0.alias, $0.logPredictions) })
        created_at = Timestamp.format(s.model.createdAtMicros); updated_at = Timestamp.format(s.model.updatedAtMicros)
    }
}

/// A model with every version (`models show NAME`, `fsctl describe NAME`).
struct ModelJSON: Encodable {
    var kind = "model"
    var name: String
    var created_at: String
    var updated_at: String
    var versions: [ModelVersionJSON]
    var aliases: [AliasJSON]

    init(_ s: ModelSummary) {
        name = s.model.name
        created_at = Timestamp.format(s.model.createdAtMicros); updated_at = Timestamp.format(s.model.updatedAtMicros)
        versions = s.versions.map { ModelVersionJSON($0, aliases: s.aliases) }
        aliases = s.aliases.map(AliasJSON.init)
    }
}

/// One alias move (`models history`, `alias set --json`).
struct AliasMoveJSON: Encodable {
    var sequence: UInt64
    var alias: String
    var action: String
    var from_version: Int?
    var to_version: Int?
    var from_canary: [CanaryJSON]
    var to_canary: [CanaryJSON]
    var gates: [String]
    /// Absent for moves recorded before per-alias logging existed (and `from_…` for a new alias, `to_…` for a delete).
    var from_log_predictions: Bool?
    var to_log_predictions: Bool?
    var at: String
    var by: String

    init(_ m: AliasMove) {
        from_log_predictions = m.fromLogPredictions; to_log_predictions = m.toLogPredictions
        sequence = m.sequence; alias = m.alias; action = m.action.rawValue
        from_version = m.fromVersion; to_version = m.toVersion
        from_canary = m.fromCanary.map { CanaryJSON(version: $0.version, percent: $0.percent) }
        to_canary = m.toCanary.map { CanaryJSON(version: $0.version, percent: $0.percent) }
        gates = m.gates; at = Timestamp.format(m.atMicros); by = m.by
    }
}

/// Text forms shared by the models commands, `list` and `describe`.
enum ModelsText {
    /// `production=3`, or `production=3 (canary 4:10%)`.
    static func alias(_ a: ModelAlias) -> String {
        "\(a.alias)=\(a.version)" + canary(a.canary) + logging(a.logPredictions)
    }

    /// ` (logs predictions)` for an alias that logs its predictions, or nothing.
    static func logging(_ on: Bool?) -> String {
        on == true ? " (logs predictions)" : ""
    }

    /// ` (canary 4:10%)`, or nothing.
    static func canary(_ splits: [CanarySplit]) -> String {
        splits.isEmpty ? "" : " (canary " + splits.map { "\($0.text)%" }.joined(separator: ", ") + ")"
    }

    /// `auc=0.91, logloss=0.3` in key order.
    static func pairs<V>(_ d: [String: V], _ show: (V) -> String) -> String {
        d.keys.sorted().map { "\($0)=\(show(d[$0]!))" }.joined(separator: ", ")
    }

    static func metric(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }

    /// The models table of `models list` and `fsctl list`.
    static func table(_ models: [ModelSummary]) -> String {
        var t = TextTable(["MODEL", "VERSIONS", "LATEST", "ALIASES", "UPDATED"])
        for s in models {
            t.add([s.model.name, s.versions.map { String($0.version) }.joined(separator: ","),
                   s.latest.map { String($0.version) } ?? "-", s.aliases.map(alias).joined(separator: ", "),
                   Timestamp.format(s.model.updatedAtMicros)])
        }
        return t.render()
    }

    /// `models show NAME` and `describe NAME`.
    static func model(_ s: ModelSummary) -> String {
        var lines = ["model \(s.model.name) (created \(Timestamp.format(s.model.createdAtMicros)), "
                     + "updated \(Timestamp.format(s.model.updatedAtMicros)))"]
        if s.versions.isEmpty {
            lines.append("  no versions")
        } else {
            var t = TextTable(["VERSION", "FORMAT", "SHA-256", "INPUTS", "TRAINING SET", "METRICS", "ALIASES", "CREATED", "BY"])
            for v in s.versions {
                let aliases = s.aliases.filter { $0.versions.contains(v.version) }.map(\.alias)
                t.add([String(v.version), v.format.rawValue, String(v.sha256.prefix(12)), String(v.inputs.count),
                       v.trainingSet ?? "-", pairs(v.metrics, metric), aliases.joined(separator: ","),
                       Timestamp.format(v.createdAtMicros), v.createdBy])
            }
            lines += t.render().split(separator: "\n").map { "  " + $0 }
        }
        lines.append("  aliases: " + (s.aliases.isEmpty ? "none" : s.aliases.map(alias).joined(separator: ", ")))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `models show NAME/V`.
    static func version(_ v: ModelVersion, aliases: [ModelAlias], artifact: ArtifactRecord?) -> String {
        var lines = ["model version \(v.ref)"]
        lines.append("  format: \(v.format.rawValue)")
        var stored = "\(Format.thousands(v.size)) bytes, sha256 \(v.sha256)"
        if let artifact {
            stored += " (\(Format.plural(artifact.chunks, "chunk")), used by \(Format.plural(artifact.references, "version")))"
        }
        lines.append("  artifact: \(v.artifactName), \(stored)")
        lines.append("  registered: \(Timestamp.format(v.createdAtMicros)) by \(v.createdBy)")
        if let u = v.updatedAtMicros { lines.append("  updated: \(Timestamp.format(u))") }
        if let d = v.description { lines.append("  description: \(d)") }
        lines.append("  training set: \(v.trainingSet ?? "none")")
        if let s = v.service { lines.append("  feature service: \(s)") }
        lines.append("  metrics: " + (v.metrics.isEmpty ? "none" : pairs(v.metrics, metric)))
        lines.append("  params: " + (v.params.isEmpty ? "none" : pairs(v.params) { $0 }))
        lines.append("  tags: " + (v.tags.isEmpty ? "none" : pairs(v.tags) { $0 }))
        let mine = aliases.filter { $0.versions.contains(v.version) }
        lines.append("  aliases: " + (mine.isEmpty ? "none" : mine.map { a in
            a.version == v.version ? a.alias + canary(a.canary) + logging(a.logPredictions)
                : "\(a.alias) (canary \(metric(a.canary.first { $0.version == v.version }!.percent))%)"
        }.joined(separator: ", ")))
        if v.inputs.isEmpty {
            lines.append("  inputs: none")
        } else {
            var t = TextTable(["#", "FEATURE", "TYPE"])
            for (i, input) in v.inputs.enumerated() { t.add([String(i), input.ref, input.type]) }
            lines.append("  inputs:")
            lines += t.render().split(separator: "\n").map { "    " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

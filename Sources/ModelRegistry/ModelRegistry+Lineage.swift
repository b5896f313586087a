import FeatureStore
import LMDB

/// The lineage edges the registry records (SPEC 9, docs/lineage.md), always
/// in the write transaction of the change they describe:
///
/// | change | edges |
/// | --- | --- |
/// | register `churn/3` | `model:churn -version_of-> churn/3`, `training set -trained_on-> churn/3`, each input `feature -reads-> churn/3` (attributes: `version` of the table, `position`) |
/// | alias set `churn@production` | the alias's incoming edges replaced by `churn/V -alias-> churn@production` for the target and each canary (attribute `percent`) |
/// | alias delete, version delete | the node and every edge touching it removed |
extension ModelRegistry {
    func recordRegistrationLineage(_ v: ModelVersion, _ txn: inout Transaction) throws {
        let node = LineageNode.modelVersion(v.model, v.version)
        var edges = [LineageEdge(from: .model(v.model), to: node, kind: "version_of", atMicros: v.createdAtMicros,
                                 attributes: ["format": v.format.rawValue, "sha256": v.sha256])]
        if let ts = v.trainingSet {
            edges.append(LineageEdge(from: .trainingSet(ts), to: node, kind: "trained_on", atMicros: v.createdAtMicros))
        }
        for (position, input) in v.inputs.enumerated() {
            edges.append(LineageEdge(from: .feature(table: input.table, feature: input.feature), to: node, kind: "reads",
                                     atMicros: v.createdAtMicros,
                                     attributes: ["version": String(input.tableVersion), "position": String(position)]))
        }
        try store.addLineage(edges, in: &txn)
    }

    func recordAliasLineage(_ a: ModelAlias, _ txn: inout Transaction) throws {
        let node = LineageNode.alias(a.model, a.alias)
        try store.removeLineageEdges(into: node, in: &txn)
        var edges = [LineageEdge(from: .modelVersion(a.model, a.version), to: node, kind: "alias", atMicros: a.setAtMicros,
                                 attributes: ["percent": MetricText.format(a.primaryPercent), "by": a.setBy])]
        for split in a.canary {
            edges.append(LineageEdge(from: .modelVersion(a.model, split.version), to: node, kind: "alias",
                                     atMicros: a.setAtMicros,
                                     attributes: ["percent": MetricText.format(split.percent), "canary": "true", "by": a.setBy]))
        }
        try store.addLineage(edges, in: &txn)
    }
}

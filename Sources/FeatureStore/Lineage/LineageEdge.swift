/// A directed edge of the lineage graph, from an upstream node to the node
/// made from it, recorded by the command that made it (SPEC 9).
///
/// Kinds the store records (docs/lineage.md): `ingested` (file → batch),
/// `appended` (batch → table version), `version_of` (table → table version),
/// `has_feature` (table version → feature), `materialized` (table → online),
/// `pushed` (batch → online), `exported` (table version → training set),
/// `entities` (entity file → training set), `reads` (feature → training set).
/// The model registry adds its own (`trained_on`, `reads`, `version_of`, `alias`).
///
/// ```swift
/// let e = LineageEdge(from: .trainingSet("ts-3f9a0c1d2e3f4a5b"), to: .modelVersion("churn", 3),
///                     kind: "trained_on", atMicros: Clock.nowMicros(), attributes: [:])
/// ```
public struct LineageEdge: Sendable, Codable, Equatable {
    /// The upstream node.
    public var from: LineageNode
    /// The downstream node, made from ``from``.
    public var to: LineageNode
    /// What the edge means, e.g. `ingested`, `exported`, `trained_on`.
    public var kind: String
    /// When it was recorded (UTC µs).
    public var atMicros: Int64
    /// Details of the run that made it (path, rows, watermark, …).
    public var attributes: [String: String]

    /// An edge from `from` (upstream) to `to` (downstream).
    public init(from: LineageNode, to: LineageNode, kind: String, atMicros: Int64, attributes: [String: String] = [:]) {
        self.from = from
        self.to = to
        self.kind = kind
        self.atMicros = atMicros
        self.attributes = attributes
    }
}

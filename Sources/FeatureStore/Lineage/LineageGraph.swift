/// The part of the lineage graph reached from one node (``Store/lineage(of:direction:depth:)``).
///
/// ```swift
/// let g = try store.lineage(of: .feature(table: "user_stats", feature: "age"), direction: .downstream)
/// g.nodes.filter { $0.kind == .alias }   // the aliases whose model versions read user_stats:age
/// ```
public struct LineageGraph: Sendable, Codable, Equatable {
    /// Which way a walk follows the edges.
    public enum Direction: String, Sendable, Codable, CaseIterable {
        /// Towards what the node was made from (source files).
        case upstream
        /// Towards what was made from the node (training sets, models, aliases).
        case downstream
        /// Both walks, from the same node.
        case both
    }

    /// The node the walk started from.
    public var root: LineageNode
    /// Which way the walk went.
    public var direction: Direction
    /// Every node reached, the root first, then in breadth-first order.
    public var nodes: [LineageNode]
    /// Every edge followed, in the order they were reached.
    public var edges: [LineageEdge]

    /// Makes a graph from its parts.
    public init(root: LineageNode, direction: Direction, nodes: [LineageNode], edges: [LineageEdge]) {
        self.root = root
        self.direction = direction
        self.nodes = nodes
        self.edges = edges
    }

    /// Whether a walk standing on `node` follows `edge`, and the schema
    /// version it then carries (see ``VersionContext``).
    ///
    /// A feature node (`user_stats:age`) stands for the feature in every
    /// schema version. A walk that reached it through one version (downstream
    /// from `user_stats@2` via `has_feature`, or upstream from a training set
    /// that read `version` 2) continues only along edges of that version: a
    /// training set that read `age` from version 2 is not downstream of
    /// `user_stats@1`.
    static func follow(_ edge: LineageEdge, from node: LineageNode, downstream: Bool,
                       context: Int?) -> (follow: Bool, context: Int?) {
        let next = downstream ? edge.to : edge.from
        if node.kind == .feature, let context {
            if downstream, let v = edge.attributes["version"], v != String(context) { return (false, nil) }
            if !downstream, next.kind == .tableVersion, Self.version(of: next) != context { return (false, nil) }
        }
        guard next.kind == .feature else { return (true, nil) }
        if downstream, node.kind == .tableVersion { return (true, Self.version(of: node)) }
        if !downstream, let v = edge.attributes["version"].flatMap({ Int($0) }) { return (true, v) }
        return (true, nil)
    }

    /// `2` for `user_stats@2`.
    static func version(of tableVersion: LineageNode) -> Int? {
        guard let at = tableVersion.name.lastIndex(of: "@") else { return nil }
        return Int(tableVersion.name[tableVersion.name.index(after: at)...])
    }
}

import LMDB

/// Walking the lineage graph (SPEC 9): `fsctl lineage REF --upstream|--downstream`.
extension Store {
    /// The nodes and edges reached from `node`, following edges `direction`,
    /// at most `depth` edges away (nil: as far as they go). One read
    /// transaction: a consistent snapshot.
    ///
    /// ```swift
    /// // Which models, and which aliases in production, read user_stats:age?
    /// let g = try store.lineage(of: .feature(table: "user_stats", feature: "age"), direction: .downstream)
    /// let aliases = g.nodes.filter { $0.kind == .alias }
    /// ```
    public func lineage(of node: LineageNode, direction: LineageGraph.Direction, depth: Int? = nil) throws -> LineageGraph {
        try environment.read { txn in
            switch direction {
            case .upstream, .downstream:
                let (nodes, edges) = try walk(from: node, downstream: direction == .downstream, depth: depth, txn)
                return LineageGraph(root: node, direction: direction, nodes: nodes, edges: edges)
            case .both:
                let up = try walk(from: node, downstream: false, depth: depth, txn)
                let down = try walk(from: node, downstream: true, depth: depth, txn)
                var seen = Set(up.nodes)
                let nodes = up.nodes + down.nodes.filter { seen.insert($0).inserted }
                return LineageGraph(root: node, direction: .both, nodes: nodes, edges: up.edges + down.edges)
            }
        }
    }

    /// Breadth-first walk; a node is expanded once per schema-version context
    /// (``LineageGraph/follow(_:from:downstream:context:)``).
    private func walk(from root: LineageNode, downstream: Bool, depth: Int?,
                      _ txn: borrowing Transaction) throws -> (nodes: [LineageNode], edges: [LineageEdge]) {
        struct State: Hashable { var node: LineageNode; var context: Int? }
        var nodes = [root]
        var seenNodes: Set<LineageNode> = [root]
        var edges: [LineageEdge] = []
        var seenEdges = Set<String>()
        var expanded: Set<State> = [State(node: root, context: nil)]
        var frontier = [State(node: root, context: nil)]
        var level = 0
        while !frontier.isEmpty, depth.map({ level < $0 }) ?? true {
            var next: [State] = []
            for state in frontier {
                let out = downstream ? try lineageEdges(from: state.node, txn) : try lineageEdges(into: state.node, txn)
                for edge in out {
                    let (follow, context) = LineageGraph.follow(edge, from: state.node, downstream: downstream,
                                                                context: state.context)
                    guard follow else { continue }
                    let other = downstream ? edge.to : edge.from
                    if seenEdges.insert("\(edge.from)\u{0}\(edge.kind)\u{0}\(edge.to)").inserted { edges.append(edge) }
                    if seenNodes.insert(other).inserted { nodes.append(other) }
                    let s = State(node: other, context: context)
                    if expanded.insert(s).inserted { next.append(s) }
                }
            }
            frontier = next
            level += 1
        }
        return (nodes, edges)
    }
}

/// The readable form of a walk, as `fsctl lineage REF` prints it.
extension LineageGraph {
    /// The walk as an indented tree from the root: one line per edge, the
    /// edge kind then the node reached and the edge's attributes. A node met
    /// again is printed once more, marked `(see above)`, without its subtree.
    /// With ``Direction/both``, the upstream tree then the downstream one.
    ///
    /// ```text
    /// feature user_stats:age
    /// └── reads → training_set ts-3f9a0c1d2e4b5a69  version=1
    ///     └── trained_on → model_version churn/3
    ///         └── alias → alias churn@production
    /// ```
    public func renderTree() -> String {
        var lines = [Self.label(root)]
        switch direction {
        case .upstream: render(downstream: false, indent: "", into: &lines)
        case .downstream: render(downstream: true, indent: "", into: &lines)
        case .both:
            lines.append("├── upstream")
            render(downstream: false, indent: "│   ", into: &lines)
            lines.append("└── downstream")
            render(downstream: true, indent: "    ", into: &lines)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func render(downstream: Bool, indent: String, into lines: inout [String]) {
        var adjacent: [LineageNode: [LineageEdge]] = [:]
        for e in edges { adjacent[downstream ? e.from : e.to, default: []].append(e) }
        struct State: Hashable { var node: LineageNode; var context: Int? }
        var expanded: Set<State> = [State(node: root, context: nil)]

        func visit(_ node: LineageNode, context: Int?, prefix: String) {
            var children: [(LineageEdge, Int?)] = []
            for e in adjacent[node] ?? [] {
                let (follow, next) = Self.follow(e, from: node, downstream: downstream, context: context)
                if follow { children.append((e, next)) }
            }
            children.sort { a, b in
                let x = downstream ? a.0.to : a.0.from, y = downstream ? b.0.to : b.0.from
                return (a.0.kind, x.kind.rawValue, x.name) < (b.0.kind, y.kind.rawValue, y.name)
            }
            for (i, (edge, next)) in children.enumerated() {
                let last = i == children.count - 1
                let other = downstream ? edge.to : edge.from
                let arrow = downstream ? "\(edge.kind) → " : "← \(edge.kind) ─ "
                let state = State(node: other, context: next)
                let again = !expanded.insert(state).inserted
                lines.append(prefix + (last ? "└── " : "├── ") + arrow + Self.label(other)
                             + Self.attributeText(edge.attributes) + (again ? "  (see above)" : ""))
                if !again { visit(other, context: next, prefix: prefix + (last ? "    " : "│   ")) }
            }
        }
        visit(root, context: nil, prefix: indent)
    }

    /// `kind name`, with a file's SHA-256 shortened.
    static func label(_ node: LineageNode) -> String {
        let name = (node.kind == .file || node.kind == .entityFile) && node.name.count == 64
            ? String(node.name.prefix(16)) + "…" : node.name
        return "\(node.kind.rawValue) \(name)"
    }

    static func attributeText(_ attributes: [String: String]) -> String {
        guard !attributes.isEmpty else { return "" }
        return "  " + attributes.keys.sorted().map { "\($0)=\(attributes[$0]!)" }.joined(separator: " ")
    }
}

/// A node of an XGBoost model's walk layout (`WalkLayout`). Each tree is laid
/// out breadth first, so a split's two children sit side by side: the left
/// one `offset` nodes after the split, the right one just after the left.
/// One step of a walk is `i + offset + (x < value ? 0 : 1)`, with no select.
/// A leaf holds its value, splits on the row's extra slot (index
/// `inputCount`, +∞ in every row: `+∞ < value` is false for any value, NaN
/// included) and has offset -1, so it steps to itself whatever the row.
protocol WalkNode: Sendable {
    /// A numeric split's threshold; a categorical split's category set index
    /// (its bit pattern); a leaf's value.
    var value: Float { get }
    /// The row slot the node reads.
    var feature: Int { get }
    /// From the node to its left child.
    var offset: Int { get }
    /// The node, or nil when `feature` or `offset` does not fit its fields.
    init?(value: Float, feature: Int, offset: Int)
}

/// A `WalkNode` of a threshold and two integer fields: `Feature` for the
/// feature index, `Offset` for the child offset.
struct PackedNode<Feature: FixedWidthInteger & UnsignedInteger & Sendable,
                  Offset: FixedWidthInteger & SignedInteger & Sendable>: WalkNode {
    let value: Float
    let featureIndex: Feature
    let childOffset: Offset

    var feature: Int { Int(featureIndex) }
    var offset: Int { Int(childOffset) }

    init?(value: Float, feature: Int, offset: Int) {
        guard let f = Feature(exactly: feature), let o = Offset(exactly: offset) else { return nil }
        self.value = value
        featureIndex = f
        childOffset = o
    }
}

/// Eight bytes (eight nodes per cache line): the layout of models with at most
/// 65,535 features and, within each tree, children at most 32,767 nodes after
/// their parent in breadth-first order (any tree of depth 15 or less).
typealias CompactNode = PackedNode<UInt16, Int16>

/// Twelve bytes: the layout of the models `CompactNode` cannot hold.
typealias WideNode = PackedNode<UInt32, Int32>

/// The trees of an XGBoost model as walked: nodes breadth first per tree
/// (`WalkNode`), a flag byte per node read only when a row has NaN or the
/// node may be categorical, and each tree's root.
struct WalkLayout<Node: WalkNode>: Sendable {
    /// `flags` bit: a NaN goes to the left child.
    static var defaultLeft: UInt8 { 1 }
    /// `flags` bit: the node is a categorical split.
    static var categorical: UInt8 { 2 }

    private(set) var nodes: [Node] = []
    private(set) var flags: [UInt8] = []
    private(set) var roots: [Int32] = []

    /// Lays out the parsed trees (`XGBoostModel.Node`, absolute child indices,
    /// leaves pointing to themselves; tree `t` starts at `roots[t]`). Nodes not
    /// reachable from their root are dropped. Nil when a node does not fit `Node`.
    init?(parsed: [XGBoostModel.Node], roots parsedRoots: [Int32], inputCount: Int) {
        nodes.reserveCapacity(parsed.count)
        flags.reserveCapacity(parsed.count)
        roots.reserveCapacity(parsedRoots.count)
        var order = [Int]()
        for root in parsedRoots {
            let base = nodes.count
            roots.append(Int32(base))
            // Breadth first: node `order[k]` of the parsed array becomes node `base + k`.
            order.removeAll(keepingCapacity: true)
            order.append(Int(root))
            var k = 0
            while k < order.count {
                let p = parsed[order[k]]
                let node: Node?
                var flag: UInt8 = 0
                if p.bits & XGBoostModel.leafFlag != 0 {
                    node = Node(value: p.value, feature: inputCount, offset: -1)
                } else {
                    node = Node(value: p.value, feature: Int(p.bits & XGBoostModel.featureMask), offset: order.count - k)
                    order.append(Int(p.left))
                    order.append(Int(p.right))
                    if p.bits & XGBoostModel.defaultLeftFlag != 0 { flag |= Self.defaultLeft }
                    if p.bits & XGBoostModel.categoricalFlag != 0 { flag |= Self.categorical }
                }
                guard let node else { return nil }
                nodes.append(node)
                flags.append(flag)
                k += 1
            }
        }
    }
}

extension XGBoostModel {
    /// Which node layout a model is walked with.
    enum NodeLayout: Equatable {
        /// `CompactNode` when the model fits it, else `WideNode`.
        case automatic
        /// `WideNode` always (tests compare the two layouts' scores).
        case wide
    }
}

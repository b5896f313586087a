/// A LightGBM gbdt model, compiled into flat node arrays.
///
/// Scoring follows LightGBM 4.x's `Tree::Predict` exactly (docs/models.md):
/// features stay `Double`; a numeric node sends `x <= threshold` left; NaN is
/// 0.0 unless the node's missing type is NaN, when it goes to the default
/// side (missing type Zero sends |x| <= 1e-35 there too); a categorical node
/// sends a code in its bitset left and NaN, negative or unseen codes right;
/// raw scores are summed in double in file order; then the objective's link.
final class LightGBMModel: BlockedTreeEnsemble {
    /// One node. `left`/`right` are absolute node indices; a leaf points to
    /// itself and holds its value in `threshold`. For a categorical node
    /// `threshold`'s bit pattern holds `start << 32 | wordCount` into `categoryWords`.
    struct Node {
        var threshold: Double
        var feature: Int32
        var left: Int32
        var right: Int32
        var flags: UInt8
    }

    static let categoricalFlag: UInt8 = 1
    static let leafFlag: UInt8 = 0x80
    static let defaultLeftFlag: UInt8 = 2
    /// `(decision_type >> 2) & 3`, kept in bits 2–3 of `flags`.
    static let missingZero: UInt8 = 1 << 2
    static let missingNaN: UInt8 = 2 << 2
    static let missingMask: UInt8 = 3 << 2
    /// LightGBM's `kZeroThreshold` (1e-35f) as the double it is compared as.
    static let zeroThreshold = Double(Float(1e-35))

    /// How raw scores become outputs.
    enum Link: Equatable {
        case identity
        case sigmoid(Double)
        case softmax
    }

    let format = ModelFormat.lightgbmText
    let inputCount: Int
    let kind: ModelKind
    let featureNames: [String]?
    let link: Link
    let nodes: [Node]
    /// Root node of each tree, and its depth (steps from the root to its deepest leaf).
    let roots: [Int32]
    let depths: [Int32]
    let categoryWords: [UInt32]
    /// Trees per iteration (the number of classes for multiclass, else 1).
    let treesPerIteration: Int
    /// Divide raw scores by the number of iterations (random-forest mode).
    let averageOutput: Bool
    /// Whether any node is a categorical split.
    let hasCategorical: Bool

    init(inputCount: Int, kind: ModelKind, featureNames: [String]?, link: Link, nodes: [Node],
         roots: [Int32], depths: [Int32], categoryWords: [UInt32], treesPerIteration: Int, averageOutput: Bool) {
        self.inputCount = inputCount
        self.kind = kind
        self.featureNames = featureNames
        self.link = link
        self.nodes = nodes
        self.roots = roots
        self.depths = depths
        self.categoryWords = categoryWords
        self.treesPerIteration = treesPerIteration
        self.averageOutput = averageOutput
        self.hasCategorical = nodes.contains { $0.flags & Self.categoricalFlag != 0 }
    }

    // MARK: scoring

    func predict(row: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(row.count == inputCount && output.count == treesPerIteration, "row/output size mismatch")
        let out = output.baseAddress!
        for k in 0..<treesPerIteration { out[k] = 0 }
        if hasCategorical {
            withTrees(MixedSplits.self) { $0.accumulate(row.baseAddress!, into: out) }
        } else {
            withTrees(NumericSplits.self) { $0.accumulate(row.baseAddress!, into: out) }
        }
        finish(out)
    }

    var scoresPerRow: Int { treesPerIteration }

    /// Rows per block: each tree is walked for every row of a block while its nodes are in cache.
    static let blockRows = 64

    func predictRange<Splits: SplitKinds>(_ splits: Splits.Type, _ range: Range<Int>, _ buffers: BatchBuffers) {
        let n = inputCount, k = treesPerIteration
        withTrees(splits) { trees in
            var start = range.lowerBound
            while start < range.upperBound {
                let count = min(Self.blockRows, range.upperBound - start)
                let x = buffers.input.baseAddress! + start * n
                let out = buffers.output.baseAddress! + start * k
                for i in 0..<(count * k) { out[i] = 0 }
                for t in 0..<trees.roots.count {
                    trees.accumulate(tree: t, rows: count, x, stride: n, into: out, k: k)
                }
                for r in 0..<count { finish(out + r * k) }
                start += count
            }
        }
    }

    /// Averaging (if any) and the objective's `ConvertOutput`, in double.
    @inline(__always)
    private func finish(_ out: UnsafeMutablePointer<Double>) {
        let k = treesPerIteration
        if averageOutput {
            let iterations = Double(roots.count / k)
            for i in 0..<k { out[i] /= iterations }
        }
        switch link {
        case .identity:
            break
        case .sigmoid(let s):
            out[0] = 1.0 / (1.0 + LibM.exp(-s * out[0]))
        case .softmax:
            var wmax = out[0]
            for i in 1..<k where out[i] > wmax { wmax = out[i] }
            var sum = 0.0
            for i in 0..<k {
                out[i] = LibM.exp(out[i] - wmax)
                sum += out[i]
            }
            for i in 0..<k { out[i] /= sum }
        }
    }

    /// The model's arrays as buffer pointers for the duration of a scoring call
    /// (no reference counting in the loops).
    struct Trees<Splits: SplitKinds>: TreeWalk {
        let nodes: UnsafeBufferPointer<Node>
        let words: UnsafeBufferPointer<UInt32>
        let roots: UnsafeBufferPointer<Int32>
        let depths: UnsafeBufferPointer<Int32>
        let treesPerIteration: Int

        /// One level of a walk: the child of node `i` that `x` goes to.
        @inline(__always)
        func step(_ i: Int, _ x: UnsafePointer<Double>) -> Int {
            let node = nodes[i]
            let flags = node.flags
            let goLeft: Bool
            if !Splits.categorical || flags & categoricalFlag == 0 {
                let raw = x[Int(node.feature)]
                let isNaN = raw.isNaN
                let v = isNaN ? 0 : raw                      // NaN is 0.0 unless the node is NaN-aware
                let missing = flags & missingMask
                let toDefault = (missing == missingNaN && isNaN) || (missing == missingZero && abs(v) <= zeroThreshold)
                goLeft = toDefault ? flags & defaultLeftFlag != 0 : v <= node.threshold
            } else {
                goLeft = categoricalGoesLeft(node, x[Int(node.feature)])
            }
            return branchFreeSelect(goLeft, Int(node.left), Int(node.right))
        }

        @inline(__always)
        func leafValue(at i: Int) -> Double { nodes[i].threshold }

        @inline(__always)
        func group(of t: Int) -> Int { t % treesPerIteration }

        /// LightGBM's `CategoricalDecision`: a code in the bitset goes left; NaN,
        /// codes that truncate below 0 (C++ `static_cast<int>`: -0.5 is category 0)
        /// and codes past the bitset go right.
        @inline(never)
        func categoricalGoesLeft(_ node: Node, _ v: Double) -> Bool {
            guard v > -1 && v < 2_147_483_648 else { return false }
            let c = Int(v)
            let packed = node.threshold.bitPattern
            let start = Int(packed >> 32), count = Int(packed & 0xFFFF_FFFF)
            let w = c >> 5
            return w < count && (words[start + w] >> UInt32(c & 31)) & 1 == 1
        }
    }

    @inline(__always)
    func withTrees<Splits: SplitKinds, R>(_ splits: Splits.Type, _ body: (Trees<Splits>) -> R) -> R {
        nodes.withUnsafeBufferPointer { n in
            categoryWords.withUnsafeBufferPointer { w in
                roots.withUnsafeBufferPointer { r in
                    depths.withUnsafeBufferPointer { d in
                        body(Trees(nodes: n, words: w, roots: r, depths: d, treesPerIteration: treesPerIteration))
                    }
                }
            }
        }
    }
}

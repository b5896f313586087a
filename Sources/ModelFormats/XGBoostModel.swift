/// An XGBoost gbtree model, compiled into flat node arrays.
///
/// Scoring follows XGBoost 3.x's CPU predictor exactly (docs/models.md):
/// features are converted to `Float`; a numeric node sends `x < split` left and
/// NaN to its default side; a categorical node sends a code in its set right
/// and anything else (unseen, negative, ≥ 2^24) left; leaf values are added in
/// float32, in tree order, to the base margin; then the objective's link.
final class XGBoostModel: BlockedTreeEnsemble {
    /// One parsed tree node. For a leaf `value` is the leaf value; for a numeric
    /// split, the threshold; for a categorical split, the bit pattern is an index
    /// into `categorySets`. `left`/`right` are absolute node indices; a leaf
    /// points to itself. Scoring walks `WalkLayout`, made from these.
    struct Node {
        var value: Float
        var bits: UInt32
        var left: Int32
        var right: Int32
    }

    static let leafFlag: UInt32 = 1 << 31
    static let defaultLeftFlag: UInt32 = 1 << 30
    static let categoricalFlag: UInt32 = 1 << 29
    static let featureMask: UInt32 = (1 << 29) - 1

    /// The objectives this scorer implements.
    enum Objective: String, CaseIterable {
        case binaryLogistic = "binary:logistic"
        case regLogistic = "reg:logistic"
        case regSquaredError = "reg:squarederror"
        case multiSoftprob = "multi:softprob"
    }

    let format = ModelFormat.xgboostJSON
    let inputCount: Int
    let kind: ModelKind
    let featureNames: [String]?
    let objective: Objective
    /// Starting margin per output group, in margin space.
    let baseMargin: [Float]
    /// The trees in `CompactNode`s, or nil when the model does not fit them.
    let compact: WalkLayout<CompactNode>?
    /// The trees in `WideNode`s, when `compact` is nil.
    let wide: WalkLayout<WideNode>?
    /// Number of trees.
    let treeCount: Int
    /// Depth of each tree: the number of steps from its root to its deepest leaf.
    let depths: [Int32]
    /// Output group of each tree.
    let groups: [Int32]
    /// Category bitsets: `(start, wordCount)` into `categoryWords`.
    let categorySets: [(start: Int32, count: Int32)]
    let categoryWords: [UInt32]
    /// Number of margins per row (1, or the number of classes).
    let groupCount: Int
    /// Whether any node is a categorical split.
    let hasCategorical: Bool

    // MARK: scoring

    func predict(row: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(row.count == inputCount && output.count == groupCount, "row/output size mismatch")
        withUnsafeTemporaryAllocation(of: Float.self, capacity: inputCount + 1 + groupCount) { scratch in
            let x = scratch.baseAddress!
            let margin = x + inputCount + 1
            var missing = false
            for j in 0..<inputCount {
                let v = Float(row[j])
                missing = missing || v.isNaN
                x[j] = v
            }
            x[inputCount] = .infinity   // the slot leaves split on
            for g in 0..<groupCount { margin[g] = baseMargin[g] }
            if let compact {
                accumulate(compact, x, missing: missing, into: margin)
            } else if let wide {
                accumulate(wide, x, missing: missing, into: margin)
            }
            transform(margin, into: output.baseAddress!)
        }
    }

    /// Adds row `x`'s leaf values to `margin`, with the walk the model and the
    /// row need: categorical tests only for a model that has categorical
    /// splits, NaN tests only for a row that has a NaN.
    @inline(__always)
    private func accumulate<N: WalkNode>(_ layout: WalkLayout<N>, _ x: UnsafePointer<Float>, missing: Bool,
                                         into margin: UnsafeMutablePointer<Float>) {
        if hasCategorical {
            withTrees(layout, MixedSplits.self) { $0.accumulate(x, into: margin) }
        } else if missing {
            withTrees(layout, NumericSplits.self) { $0.accumulate(x, into: margin) }
        } else {
            withTrees(layout, CompleteNumericSplits.self) { $0.accumulate(x, into: margin) }
        }
    }

    var scoresPerRow: Int { groupCount }

    /// Rows per block: each tree is walked for every row of a block while its
    /// nodes are in cache.
    static let blockRows = 64

    func predictRange<Splits: SplitKinds>(_ splits: Splits.Type, _ range: Range<Int>, _ buffers: BatchBuffers) {
        if let compact {
            predictRange(compact, splits, range, buffers)
        } else if let wide {
            predictRange(wide, splits, range, buffers)
        }
    }

    private func predictRange<N: WalkNode, Splits: SplitKinds>(_ layout: WalkLayout<N>, _ splits: Splits.Type,
                                                               _ range: Range<Int>, _ buffers: BatchBuffers) {
        let n = inputCount, stride = n + 1, k = groupCount, block = Self.blockRows
        let x = UnsafeMutablePointer<Float>.allocate(capacity: block * stride)
        let margin = UnsafeMutablePointer<Float>.allocate(capacity: block * k)
        defer { x.deallocate(); margin.deallocate() }
        var start = range.lowerBound
        while start < range.upperBound {
            let count = min(block, range.upperBound - start)
            let src = buffers.input.baseAddress! + start * n
            var missing = false
            for r in 0..<count {
                for j in 0..<n {
                    let v = Float(src[r * n + j])
                    missing = missing || v.isNaN
                    x[r * stride + j] = v
                }
                x[r * stride + n] = .infinity   // the slot leaves split on
            }
            for r in 0..<count { for g in 0..<k { margin[r * k + g] = baseMargin[g] } }
            if Splits.categorical {
                withTrees(layout, MixedSplits.self) { $0.accumulate(rows: count, x, stride: stride, into: margin, k: k) }
            } else if missing {
                withTrees(layout, NumericSplits.self) { $0.accumulate(rows: count, x, stride: stride, into: margin, k: k) }
            } else {
                withTrees(layout, CompleteNumericSplits.self) { $0.accumulate(rows: count, x, stride: stride, into: margin, k: k) }
            }
            for r in 0..<count {
                transform(margin + r * k, into: buffers.output.baseAddress! + (start + r) * k)
            }
            start += count
        }
    }

    /// The model's arrays as buffer pointers for the duration of a scoring call:
    /// no reference counting in the loops (two threads touching one array's
    /// reference count would share its cache line).
    struct Trees<Splits: SplitKinds, N: WalkNode>: TreeWalk {
        let nodes: UnsafeBufferPointer<N>
        let flags: UnsafeBufferPointer<UInt8>
        let words: UnsafeBufferPointer<UInt32>
        let sets: UnsafeBufferPointer<(start: Int32, count: Int32)>
        let roots: UnsafeBufferPointer<Int32>
        let depths: UnsafeBufferPointer<Int32>
        let groups: UnsafeBufferPointer<Int32>
        let baseMargin: UnsafeBufferPointer<Float>

        /// One level of a walk: the child of node `i` that `x` goes to
        /// (`WalkNode`: the left child, or the one after it).
        @inline(__always)
        func step(_ i: Int, _ x: UnsafePointer<Float>) -> Int {
            let node = nodes[i]
            let v = x[node.feature]
            // Flags are read unconditionally where needed, and the NaN test is
            // combined with bit operations (not `&&`), so the walk stays free
            // of data-dependent branches for numeric splits.
            let f = Splits.categorical || Splits.missing ? flags[i] : 0
            var goRight: UInt8
            if !Splits.categorical || f & WalkLayout<N>.categorical == 0 {
                // `v < t` is false for NaN: then the default direction decides.
                goRight = bit(!(v < node.value))
                if Splits.missing { goRight ^= bit(v.isNaN) & f & WalkLayout<N>.defaultLeft }
            } else {
                goRight = bit(!categoricalGoesLeft(i, v))
            }
            return i &+ node.offset &+ Int(goRight)
        }

        @inline(__always)
        private func bit(_ b: Bool) -> UInt8 { unsafeBitCast(b, to: UInt8.self) }

        @inline(__always)
        func leafValue(at i: Int) -> Float { nodes[i].value }

        @inline(__always)
        func group(of t: Int) -> Int { Int(groups[t]) }

        /// XGBoost's categorical `Decision`: NaN takes the default side; a code in
        /// the node's set goes right; negative, >= 2^24 or unseen codes go left.
        @inline(never)
        func categoricalGoesLeft(_ i: Int, _ v: Float) -> Bool {
            if v.isNaN { return flags[i] & WalkLayout<N>.defaultLeft != 0 }
            if v < 0 || v >= 16_777_216 { return true }
            let c = Int(v)
            let set = sets[Int(nodes[i].value.bitPattern)]
            let w = c >> 5
            return !(w < Int(set.count) && (words[Int(set.start) + w] >> UInt32(c & 31)) & 1 == 1)
        }
    }

    @inline(__always)
    func withTrees<N: WalkNode, Splits: SplitKinds, R>(_ layout: WalkLayout<N>, _ splits: Splits.Type,
                                                       _ body: (Trees<Splits, N>) -> R) -> R {
        layout.nodes.withUnsafeBufferPointer { n in
            layout.flags.withUnsafeBufferPointer { f in
                layout.roots.withUnsafeBufferPointer { r in
                    categoryWords.withUnsafeBufferPointer { w in
                        categorySets.withUnsafeBufferPointer { s in
                            depths.withUnsafeBufferPointer { d in
                                groups.withUnsafeBufferPointer { g in
                                    baseMargin.withUnsafeBufferPointer { b in
                                        body(Trees(nodes: n, flags: f, words: w, sets: s, roots: r, depths: d, groups: g,
                                                   baseMargin: b))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The objective's output transform (XGBoost's `PredTransform`), float32.
    @inline(__always)
    private func transform(_ margin: UnsafePointer<Float>, into out: UnsafeMutablePointer<Double>) {
        switch objective {
        case .binaryLogistic, .regLogistic:
            out[0] = Double(Self.sigmoid(margin[0]))
        case .regSquaredError:
            out[0] = Double(margin[0])
        case .multiSoftprob:
            var wmax = margin[0]
            for g in 1..<groupCount where margin[g] > wmax { wmax = margin[g] }
            // expf in float32, summed in double, divided in float32 (XGBoost's `Softmax`).
            var sum = 0.0
            for g in 0..<groupCount {
                let e = LibM.exp(margin[g] - wmax)
                out[g] = Double(e)
                sum += Double(e)
            }
            let fsum = Float(sum)
            for g in 0..<groupCount { out[g] = Double(Float(out[g]) / fsum) }
        }
    }

    /// `common::Sigmoid(float)` of XGBoost: `1 / (expf(min(-x, 88.7)) + 1 + 1e-16)` in float32.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        let e = LibM.exp(min(-x, 88.7 as Float))
        return 1 as Float / (e + 1 as Float + 1e-16 as Float)
    }

    init(inputCount: Int, kind: ModelKind, featureNames: [String]?, objective: Objective, baseMargin: [Float],
         nodes: [Node], roots: [Int32], depths: [Int32], groups: [Int32], categorySets: [(start: Int32, count: Int32)],
         categoryWords: [UInt32], layout: NodeLayout = .automatic) {
        self.inputCount = inputCount
        self.kind = kind
        self.featureNames = featureNames
        self.objective = objective
        self.baseMargin = baseMargin
        let compact = layout == .automatic ? WalkLayout<CompactNode>(parsed: nodes, roots: roots, inputCount: inputCount) : nil
        self.compact = compact
        // Node indices fit Int32 (the parser checks) and features are below 2^29: every model fits `WideNode`.
        self.wide = compact == nil ? WalkLayout<WideNode>(parsed: nodes, roots: roots, inputCount: inputCount)! : nil
        self.treeCount = roots.count
        self.depths = depths
        self.groups = groups
        self.categorySets = categorySets
        self.categoryWords = categoryWords
        self.groupCount = baseMargin.count
        self.hasCategorical = !categorySets.isEmpty
    }
}

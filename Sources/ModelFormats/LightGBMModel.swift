/// A LightGBM gbdt model, compiled into flat node arrays.
///
/// Scoring follows LightGBM 4.x's `Tree::Predict` exactly (docs/models.md):
/// features stay `Double`; a numeric node sends `x <= threshold` left; NaN is
/// 0.0 unless the node's missing type is NaN, when it goes to the default
/// side (missing type Zero sends |x| <= 1e-35 there too); a categorical node
/// sends a code in its bitset left and NaN, negative or unseen codes right;
/// raw scores are summed in double in file order; then the objective's link.
final class LightGBMModel: LoadedModel {
    /// One internal node. `left`/`right` >= 0 are absolute node indices, < 0 are
    /// `~leafIndex` into `leafValues`. For a categorical node `threshold`'s bit
    /// pattern holds `start << 32 | wordCount` into `categoryWords`.
    struct Node {
        var threshold: Double
        var feature: Int32
        var left: Int32
        var right: Int32
        var flags: UInt8
    }

    static let categoricalFlag: UInt8 = 1
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
    let leafValues: [Double]
    /// Root of each tree: a node index, or `~leaf` for a one-leaf tree.
    let roots: [Int32]
    let categoryWords: [UInt32]
    /// Trees per iteration (the number of classes for multiclass, else 1).
    let treesPerIteration: Int
    /// Divide raw scores by the number of iterations (random-forest mode).
    let averageOutput: Bool

    init(inputCount: Int, kind: ModelKind, featureNames: [String]?, link: Link, nodes: [Node], leafValues: [Double],
         roots: [Int32], categoryWords: [UInt32], treesPerIteration: Int, averageOutput: Bool) {
        self.inputCount = inputCount
        self.kind = kind
        self.featureNames = featureNames
        self.link = link
        self.nodes = nodes
        self.leafValues = leafValues
        self.roots = roots
        self.categoryWords = categoryWords
        self.treesPerIteration = treesPerIteration
        self.averageOutput = averageOutput
    }

    // MARK: scoring

    func predict(row: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(row.count == inputCount && output.count == treesPerIteration, "row/output size mismatch")
        let out = output.baseAddress!
        for k in 0..<treesPerIteration { out[k] = 0 }
        nodes.withUnsafeBufferPointer { np in
            leafValues.withUnsafeBufferPointer { lv in
                categoryWords.withUnsafeBufferPointer { cw in
                    let x = row.baseAddress!
                    var k = 0
                    for t in 0..<roots.count {
                        out[k] += lv[Self.leaf(np, cw, root: roots[t], x: x)]
                        k += 1
                        if k == treesPerIteration { k = 0 }
                    }
                }
            }
        }
        finish(out)
    }

    func predict(batch: UnsafeBufferPointer<Double>, rows: Int, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(batch.count == rows * inputCount && output.count == rows * treesPerIteration, "batch/output size mismatch")
        let buffers = BatchBuffers(input: batch, output: output)
        BatchSplit.run(rows: rows) { range in self.predictRange(range, buffers) }
    }

    /// Rows per block: each tree is walked for every row of a block while its nodes are in cache.
    static let blockRows = 64

    private func predictRange(_ range: Range<Int>, _ buffers: BatchBuffers) {
        let n = inputCount, k = treesPerIteration
        nodes.withUnsafeBufferPointer { np in
            leafValues.withUnsafeBufferPointer { lv in
                categoryWords.withUnsafeBufferPointer { cw in
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let count = min(Self.blockRows, range.upperBound - start)
                        let x = buffers.input.baseAddress! + start * n
                        let out = buffers.output.baseAddress! + start * k
                        for i in 0..<(count * k) { out[i] = 0 }
                        var g = 0
                        for t in 0..<roots.count {
                            let root = roots[t]
                            for r in 0..<count {
                                out[r * k + g] += lv[Self.leaf(np, cw, root: root, x: x + r * n)]
                            }
                            g += 1
                            if g == k { g = 0 }
                        }
                        for r in 0..<count { finish(out + r * k) }
                        start += count
                    }
                }
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

    /// The leaf index reached by `x` (LightGBM's `GetLeaf`).
    @inline(__always)
    static func leaf(_ nodes: UnsafeBufferPointer<Node>, _ words: UnsafeBufferPointer<UInt32>,
                     root: Int32, x: UnsafePointer<Double>) -> Int {
        var i = root
        while i >= 0 {
            let node = nodes[Int(i)]
            var v = x[Int(node.feature)]
            let flags = node.flags
            if flags & categoricalFlag == 0 {
                let missing = flags & missingMask
                if v.isNaN && missing != missingNaN { v = 0 }
                if (missing == missingZero && -zeroThreshold <= v && v <= zeroThreshold) || (missing == missingNaN && v.isNaN) {
                    i = flags & defaultLeftFlag != 0 ? node.left : node.right
                } else {
                    i = v <= node.threshold ? node.left : node.right
                }
            } else {
                // NaN, codes that truncate below 0, and codes past any bitset go right.
                // (C++ truncates with static_cast<int>; -0.5 is category 0.)
                var inSet = false
                if v > -1 && v < 2_147_483_648 {
                    let c = Int(v)
                    let packed = node.threshold.bitPattern
                    let start = Int(packed >> 32), count = Int(packed & 0xFFFF_FFFF)
                    let w = c >> 5
                    inSet = w < count && (words[start + w] >> UInt32(c & 31)) & 1 == 1
                }
                i = inSet ? node.left : node.right
            }
        }
        return Int(~i)
    }
}

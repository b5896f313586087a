/// An ONNX graph compiled into a straight-line program over per-row float32
/// and int64 buffers.
///
/// Every value the graph computes is `[N, width]` (N the batch); the program
/// keeps one arena of floats and one of integers for a block of rows, each
/// value at a fixed offset. Steps run in the graph's (topological) order; only
/// the steps the chosen output depends on are run (the `label` output of a
/// classifier is checked at load but not computed). docs/models.md lists the
/// operators and their semantics (those of ONNX Runtime's CPU kernels).
final class ONNXModel: LoadedModel {
    /// A binary operator's operand: a computed value, or a constant broadcast along rows.
    enum Operand {
        case value(slot: Int, width: Int)
        case constant([Float])
    }

    enum BinaryOp: String { case add = "Add", sub = "Sub", mul = "Mul", div = "Div" }
    enum UnaryOp: String { case relu = "Relu", tanh = "Tanh", sigmoid = "Sigmoid" }
    /// ai.onnx.ml `post_transform`.
    enum PostTransform: String { case none = "NONE", logistic = "LOGISTIC", softmax = "SOFTMAX", softmaxZero = "SOFTMAX_ZERO" }
    enum Norm: String { case l1 = "L1", l2 = "L2", max = "MAX" }

    /// One compiled operator. Slots are offsets in rows-of-width units: the value
    /// of `slot` for a block of `R` rows starts at `arena + slot * R`.
    enum Step {
        case imputer(src: Int, dst: Int, width: Int, values: [Float], replaced: Float)
        case scaler(src: Int, dst: Int, width: Int, offset: [Float], scale: [Float])
        case linear(src: Int, dst: Int, inWidth: Int, outWidth: Int, weights: [Float], bias: [Float], post: PostTransform)
        case normalizer(src: Int, dst: Int, width: Int, norm: Norm)
        case matmul(src: Int, dst: Int, k: Int, n: Int, weights: [Float])
        case binary(BinaryOp, a: Operand, b: Operand, dst: Int, width: Int)
        case unary(UnaryOp, src: Int, dst: Int, width: Int)
        case softmax(src: Int, dst: Int, width: Int)
        case concat(srcs: [(slot: Int, width: Int)], dst: Int, width: Int)
        case argmax(src: Int, dstInt: Int, width: Int)
        case gather(table: [Int64], srcInt: Int, dstInt: Int)
        case floatToInt(src: Int, dstInt: Int, width: Int)
        case intToFloat(srcInt: Int, dst: Int, width: Int)
    }

    let format = ModelFormat.onnx
    let inputCount: Int
    let kind: ModelKind
    let featureNames: [String]? = nil
    let steps: [Step]
    /// Arena sizes per row.
    let floatWidth: Int
    let intWidth: Int
    /// Where the input rows go (float arena).
    let inputSlot: Int
    /// The scored output (float arena), its width, and which column is reported
    /// (column 1 of `[p0, p1]` for a binary classifier; all columns otherwise).
    let outputSlot: Int
    let outputWidth: Int
    let operatorNames: [String]

    init(inputCount: Int, kind: ModelKind, steps: [Step], floatWidth: Int, intWidth: Int, inputSlot: Int,
         outputSlot: Int, outputWidth: Int, operatorNames: [String]) {
        self.inputCount = inputCount
        self.kind = kind
        self.steps = steps
        self.floatWidth = floatWidth
        self.intWidth = intWidth
        self.inputSlot = inputSlot
        self.outputSlot = outputSlot
        self.outputWidth = outputWidth
        self.operatorNames = operatorNames
    }

    // MARK: scoring

    func predict(row: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(row.count == inputCount && output.count == kind.outputCount, "row/output size mismatch")
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(floatWidth, 1)) { f in
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(intWidth, 1)) { i in
                run(rows: 1, input: row.baseAddress!, output: output.baseAddress!, f.baseAddress!, i.baseAddress!)
            }
        }
    }

    func predict(batch: UnsafeBufferPointer<Double>, rows: Int, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(batch.count == rows * inputCount && output.count == rows * kind.outputCount, "batch/output size mismatch")
        let buffers = BatchBuffers(input: batch, output: output)
        BatchSplit.run(rows: rows) { range in
            let block = Self.blockRows
            let f = UnsafeMutablePointer<Float>.allocate(capacity: max(self.floatWidth * block, 1))
            let i = UnsafeMutablePointer<Int64>.allocate(capacity: max(self.intWidth * block, 1))
            defer { f.deallocate(); i.deallocate() }
            var start = range.lowerBound
            while start < range.upperBound {
                let count = min(block, range.upperBound - start)
                self.run(rows: count, input: buffers.input.baseAddress! + start * self.inputCount,
                         output: buffers.output.baseAddress! + start * self.kind.outputCount, f, i)
                start += count
            }
        }
    }

    /// Rows per block of the batch path (the arenas of a block stay in cache).
    static let blockRows = 128

    private func run(rows: Int, input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>,
                     _ fa: UnsafeMutablePointer<Float>, _ ia: UnsafeMutablePointer<Int64>) {
        let x = fa + inputSlot * rows
        for k in 0..<(rows * inputCount) { x[k] = Float(input[k]) }
        for step in steps { execute(step, rows: rows, fa, ia) }
        let y = fa + outputSlot * rows
        switch kind {
        case .binaryClassifier:
            for r in 0..<rows { output[r] = Double(y[r * outputWidth + 1]) }
        case .regressor, .multiclass:
            for k in 0..<(rows * outputWidth) { output[k] = Double(y[k]) }
        }
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    private func execute(_ step: Step, rows: Int, _ fa: UnsafeMutablePointer<Float>, _ ia: UnsafeMutablePointer<Int64>) {
        switch step {
        case let .imputer(src, dst, width, values, replaced):
            let s = fa + src * rows, d = fa + dst * rows
            let single = values.count == 1
            for r in 0..<rows {
                for j in 0..<width {
                    let v = s[r * width + j]
                    let missing = replaced.isNaN ? v.isNaN : v == replaced
                    d[r * width + j] = missing ? values[single ? 0 : j] : v
                }
            }
        case let .scaler(src, dst, width, offset, scale):
            let s = fa + src * rows, d = fa + dst * rows
            let o1 = offset.count == 1, s1 = scale.count == 1
            for r in 0..<rows {
                for j in 0..<width {
                    d[r * width + j] = (s[r * width + j] - offset[o1 ? 0 : j]) * scale[s1 ? 0 : j]
                }
            }
        case let .linear(src, dst, inWidth, outWidth, weights, bias, post):
            let s = fa + src * rows, d = fa + dst * rows
            weights.withUnsafeBufferPointer { w in
                for r in 0..<rows {
                    let xr = s + r * inWidth, yr = d + r * outWidth
                    for c in 0..<outWidth {
                        var acc: Float = 0
                        let wc = w.baseAddress! + c * inWidth
                        for j in 0..<inWidth { acc += xr[j] * wc[j] }
                        yr[c] = acc + bias[c]
                    }
                    switch post {
                    case .none: break
                    case .logistic: for c in 0..<outWidth { yr[c] = Self.sigmoid(yr[c]) }
                    case .softmax: Self.softmax(yr, outWidth, zero: false)
                    case .softmaxZero: Self.softmax(yr, outWidth, zero: true)
                    }
                }
            }
        case let .normalizer(src, dst, width, norm):
            let s = fa + src * rows, d = fa + dst * rows
            for r in 0..<rows {
                let xr = s + r * width, yr = d + r * width
                var t: Float = 0
                switch norm {
                case .l1: for j in 0..<width { t += abs(xr[j]) }
                case .l2: for j in 0..<width { t += xr[j] * xr[j] }; t = t.squareRoot()
                case .max: t = xr[0]; for j in 1..<width where xr[j] > t { t = xr[j] }
                }
                for j in 0..<width { yr[j] = xr[j] / t }
            }
        case let .matmul(src, dst, k, n, weights):
            weights.withUnsafeBufferPointer { w in
                Self.matmul(fa + src * rows, w.baseAddress!, fa + dst * rows, rows: rows, k: k, n: n)
            }
        case let .binary(op, .value(slot, w), .constant(c), dst, width) where w == width && c.count == width:
            // A per-row value and a constant row (a layer's bias): the common case.
            let s = fa + slot * rows, d = fa + dst * rows
            c.withUnsafeBufferPointer { cb in
                for r in 0..<rows {
                    let xr = s + r * width, yr = d + r * width
                    switch op {
                    case .add: for j in 0..<width { yr[j] = xr[j] + cb[j] }
                    case .sub: for j in 0..<width { yr[j] = xr[j] - cb[j] }
                    case .mul: for j in 0..<width { yr[j] = xr[j] * cb[j] }
                    case .div: for j in 0..<width { yr[j] = xr[j] / cb[j] }
                    }
                }
            }
        case let .binary(op, a, b, dst, width):
            let d = fa + dst * rows
            for r in 0..<rows {
                for j in 0..<width {
                    let u = Self.operand(a, fa, rows, r, j), v = Self.operand(b, fa, rows, r, j)
                    let y: Float
                    switch op {
                    case .add: y = u + v
                    case .sub: y = u - v
                    case .mul: y = u * v
                    case .div: y = u / v
                    }
                    d[r * width + j] = y
                }
            }
        case let .unary(op, src, dst, width):
            let s = fa + src * rows, d = fa + dst * rows
            let n = rows * width
            switch op {
            case .relu: for k in 0..<n { d[k] = s[k] > 0 ? s[k] : 0 }
            case .tanh: for k in 0..<n { d[k] = LibM.tanh(s[k]) }
            case .sigmoid: for k in 0..<n { d[k] = Self.sigmoid(s[k]) }
            }
        case let .softmax(src, dst, width):
            let s = fa + src * rows, d = fa + dst * rows
            for k in 0..<(rows * width) { d[k] = s[k] }
            for r in 0..<rows { Self.softmax(d + r * width, width, zero: false) }
        case let .concat(srcs, dst, width):
            let d = fa + dst * rows
            for r in 0..<rows {
                var o = r * width
                for (slot, w) in srcs {
                    let s = fa + slot * rows + r * w
                    for j in 0..<w { d[o + j] = s[j] }
                    o += w
                }
            }
        case let .argmax(src, dstInt, width):
            let s = fa + src * rows, d = ia + dstInt * rows
            for r in 0..<rows {
                let xr = s + r * width
                var best = 0
                for j in 1..<width where xr[j] > xr[best] { best = j }
                d[r] = Int64(best)
            }
        case let .gather(table, srcInt, dstInt):
            let s = ia + srcInt * rows, d = ia + dstInt * rows
            for r in 0..<rows {
                let k = s[r]
                d[r] = k >= 0 && k < Int64(table.count) ? table[Int(k)] : Int64.min
            }
        case let .floatToInt(src, dstInt, width):
            let s = fa + src * rows, d = ia + dstInt * rows
            for k in 0..<(rows * width) {
                let v = s[k]
                d[k] = v.isNaN || v >= 9.2e18 || v <= -9.2e18 ? Int64.min : Int64(v)
            }
        case let .intToFloat(srcInt, dst, width):
            let s = ia + srcInt * rows, d = fa + dst * rows
            for k in 0..<(rows * width) { d[k] = Float(s[k]) }
        }
    }

    /// `y[r] = x[r] · W` for a constant `W` of `k x n` (row-major), each output
    /// summed over `j` in order from zero. Columns in groups of eight are kept
    /// in SIMD registers across the `k` loop; the rest are summed one by one.
    static func matmul(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                       rows: Int, k: Int, n: Int) {
        let wide = n / 8 * 8
        var r = 0
        // Four rows at a time share each load of the weights.
        while r + 4 <= rows && wide > 0 {
            let x0 = x + r * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k
            var h = 0
            while h < wide {
                var a0 = SIMD8<Float>(repeating: 0), a1 = a0, a2 = a0, a3 = a0
                for j in 0..<k {
                    let wj = UnsafeRawPointer(w + j * n + h).loadUnaligned(as: SIMD8<Float>.self)
                    a0 += SIMD8(repeating: x0[j]) * wj
                    a1 += SIMD8(repeating: x1[j]) * wj
                    a2 += SIMD8(repeating: x2[j]) * wj
                    a3 += SIMD8(repeating: x3[j]) * wj
                }
                let y0 = UnsafeMutableRawPointer(y + r * n + h)
                y0.storeBytes(of: a0, as: SIMD8<Float>.self)
                (y0 + 4 * n).storeBytes(of: a1, as: SIMD8<Float>.self)
                (y0 + 8 * n).storeBytes(of: a2, as: SIMD8<Float>.self)
                (y0 + 12 * n).storeBytes(of: a3, as: SIMD8<Float>.self)
                h += 8
            }
            for rr in r..<(r + 4) {
                for h in wide..<n {
                    var acc: Float = 0
                    for j in 0..<k { acc += x[rr * k + j] * w[j * n + h] }
                    y[rr * n + h] = acc
                }
            }
            r += 4
        }
        while r < rows {
            defer { r += 1 }
            let xr = x + r * k, yr = y + r * n
            var h = 0
            while h < wide {
                var acc = SIMD8<Float>(repeating: 0)
                for j in 0..<k {
                    let wj = UnsafeRawPointer(w + j * n + h).loadUnaligned(as: SIMD8<Float>.self)
                    acc += SIMD8(repeating: xr[j]) * wj
                }
                UnsafeMutableRawPointer(yr + h).storeBytes(of: acc, as: SIMD8<Float>.self)
                h += 8
            }
            while h < n {
                var acc: Float = 0
                for j in 0..<k { acc += xr[j] * w[j * n + h] }
                yr[h] = acc
                h += 1
            }
        }
    }

    @inline(__always)
    private static func operand(_ o: Operand, _ fa: UnsafeMutablePointer<Float>, _ rows: Int, _ r: Int, _ j: Int) -> Float {
        switch o {
        case let .value(slot, width): return fa[slot * rows + r * width + (width == 1 ? 0 : j)]
        case let .constant(c): return c[c.count == 1 ? 0 : j]
        }
    }

    /// The logistic function in float32 (ONNX Runtime uses an approximation within 1.2e-7 of it).
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + LibM.exp(-x)) }

    /// Max-subtracted softmax in place, float32; `zero`: SOFTMAX_ZERO keeps zeros at zero.
    static func softmax(_ v: UnsafeMutablePointer<Float>, _ n: Int, zero: Bool) {
        var m = v[0]
        for j in 1..<max(n, 1) where v[j] > m { m = v[j] }
        var sum: Float = 0
        for j in 0..<n {
            let e = zero && v[j] == 0 ? 0 : LibM.exp(v[j] - m)
            v[j] = e
            sum += e
        }
        for j in 0..<n { v[j] /= sum }
    }
}

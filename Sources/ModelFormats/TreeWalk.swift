/// A flattened tree ensemble being walked: what XGBoost's and LightGBM's
/// scorers share. Leaves point to themselves, so walking tree `t` exactly
/// `depths[t]` steps from `roots[t]` ends on its leaf whatever the path; the
/// walks below run four trees (one row) or four rows (one tree) side by side,
/// independent chains of loads that the CPU overlaps. Leaf values are added
/// in tree order, so results are those of a plain one-tree-at-a-time walk.
protocol TreeWalk {
    associatedtype Scalar: BinaryFloatingPoint
    var roots: UnsafeBufferPointer<Int32> { get }
    var depths: UnsafeBufferPointer<Int32> { get }
    /// One level: the child of node `i` that row `x` goes to.
    func step(_ i: Int, _ x: UnsafePointer<Scalar>) -> Int
    /// The value of leaf node `i`.
    func leafValue(at i: Int) -> Scalar
    /// The output (class) that tree `t` adds to.
    func group(of t: Int) -> Int
}

extension TreeWalk {
    /// The leaf value `x` reaches in tree `t`.
    @inline(__always)
    func value(tree t: Int, x: UnsafePointer<Scalar>) -> Scalar {
        var i = Int(roots[t])
        for _ in 0..<Int(depths[t]) { i = step(i, x) }
        return leafValue(at: i)
    }

    /// Adds every tree's leaf value for row `x` to `out[group(of: t)]`, in tree order.
    @inline(__always)
    func accumulate(_ x: UnsafePointer<Scalar>, into out: UnsafeMutablePointer<Scalar>) {
        let n = roots.count
        var t = 0
        while t + 4 <= n {
            var i0 = Int(roots[t]), i1 = Int(roots[t + 1]), i2 = Int(roots[t + 2]), i3 = Int(roots[t + 3])
            let d = Int(max(max(depths[t], depths[t + 1]), max(depths[t + 2], depths[t + 3])))
            for _ in 0..<d {
                i0 = step(i0, x); i1 = step(i1, x); i2 = step(i2, x); i3 = step(i3, x)
            }
            out[group(of: t)] += leafValue(at: i0)
            out[group(of: t + 1)] += leafValue(at: i1)
            out[group(of: t + 2)] += leafValue(at: i2)
            out[group(of: t + 3)] += leafValue(at: i3)
            t += 4
        }
        while t < n {
            out[group(of: t)] += value(tree: t, x: x)
            t += 1
        }
    }

    /// Adds every tree's leaf values for `count` rows (row `r` at `x + r * stride`)
    /// to `out[r * k + group(of: t)]`, tree by tree.
    @inline(__always)
    func accumulate(rows count: Int, _ x: UnsafePointer<Scalar>, stride: Int, into out: UnsafeMutablePointer<Scalar>, k: Int) {
        for t in 0..<roots.count {
            accumulate(tree: t, rows: count, x, stride: stride, into: out, k: k)
        }
    }

    /// Adds tree `t`'s leaf value for `count` rows (row `r` at `x + r * stride`)
    /// to `out[r * k + group(of: t)]`.
    @inline(__always)
    func accumulate(tree t: Int, rows count: Int, _ x: UnsafePointer<Scalar>, stride: Int,
                    into out: UnsafeMutablePointer<Scalar>, k: Int) {
        let root = Int(roots[t]), d = Int(depths[t]), g = group(of: t)
        var r = 0
        while r + 4 <= count {
            let x0 = x + r * stride, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride
            var i0 = root, i1 = root, i2 = root, i3 = root
            for _ in 0..<d {
                i0 = step(i0, x0); i1 = step(i1, x1); i2 = step(i2, x2); i3 = step(i3, x3)
            }
            out[r * k + g] += leafValue(at: i0)
            out[(r + 1) * k + g] += leafValue(at: i1)
            out[(r + 2) * k + g] += leafValue(at: i2)
            out[(r + 3) * k + g] += leafValue(at: i3)
            r += 4
        }
        while r < count {
            out[r * k + g] += value(tree: t, x: x + r * stride)
            r += 1
        }
    }
}

/// Whether a tree walk must test each node for a categorical split (a model
/// without categorical splits is walked by a specialization without the
/// test), and whether it must test each value for NaN (XGBoost's walk skips
/// the test for rows without NaN; LightGBM's always makes it).
protocol SplitKinds {
    static var categorical: Bool { get }
    static var missing: Bool { get }
}

/// Only numeric splits; values may be NaN.
enum NumericSplits: SplitKinds {
    static var categorical: Bool { false }
    static var missing: Bool { true }
}

/// Only numeric splits, and no value is NaN.
enum CompleteNumericSplits: SplitKinds {
    static var categorical: Bool { false }
    static var missing: Bool { false }
}

/// Numeric and categorical splits; values may be NaN.
enum MixedSplits: SplitKinds {
    static var categorical: Bool { true }
    static var missing: Bool { true }
}

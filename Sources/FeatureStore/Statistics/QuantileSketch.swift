#if canImport(Glibc)
import Glibc
#endif

/// A DDSketch (Masson, Rim, Lee, VLDB 2019): a mergeable quantile sketch with
/// a relative-error guarantee.
///
/// A finite non-zero value x goes into bucket `k = ⌈log_γ |x|⌉` of the store
/// of its sign, γ = (1 + α)/(1 − α); zeros are counted apart. Bucket k holds
/// the values in (γ^(k−1), γ^k] and answers with 2γ^k/(γ + 1), which is within
/// a factor (1 ± α) of every value in it. So for a quantile q, with
/// `x_q = sorted[⌊q·(n − 1)⌋]` the exact (lower) quantile of the n values,
///
///     |quantile(q) − x_q| ≤ α · |x_q|
///
/// as long as no bucket was collapsed: each store keeps at most
/// ``maxBuckets`` consecutive buckets below its largest one (magnitudes within
/// a factor γ^2048 ≈ 6·10¹⁷ of the largest at α = 0.01); mass below that is
/// folded into the lowest kept bucket, which only affects quantiles that fall
/// among those smallest magnitudes.
///
/// Merging adds bucket counts, so it is exact: associative and commutative
/// (the folding rule depends only on the final largest bucket).
///
/// ```swift
/// var s = QuantileSketch()
/// for x in [1.0, 2, 3, 4, 100] { s.add(x) }
/// s.quantile(0.5)   // ≈ 3 (within 1 %)
/// ```
public struct QuantileSketch: Sendable, Equatable {
    /// The default relative accuracy α: 1 %.
    public static let defaultAlpha = 0.01
    /// Buckets kept per sign.
    public static let maxBuckets = 2048

    /// The relative accuracy α.
    public let alpha: Double
    let gamma: Double
    let multiplier: Double
    /// Zeros (and −0).
    public internal(set) var zeroCount: UInt64 = 0
    var positive = BucketStore()
    /// Keyed by ⌈log_γ |x|⌉ of negative values.
    var negative = BucketStore()

    /// An empty sketch with relative accuracy `alpha` (0 < α < 1).
    public init(alpha: Double = QuantileSketch.defaultAlpha) {
        precondition(alpha > 0 && alpha < 1, "relative accuracy must be in (0, 1)")
        self.alpha = alpha
        gamma = (1 + alpha) / (1 - alpha)
        multiplier = 1 / log(gamma)
    }

    /// Values added (zeros included).
    public var count: UInt64 { zeroCount + positive.total + negative.total }

    /// Whether no value was added.
    public var isEmpty: Bool { count == 0 }

    /// Adds a finite value (non-finite values must be left out by the caller).
    @inline(__always)
    public mutating func add(_ x: Double) {
        if x > 0 {
            positive.add(key(x), 1)
        } else if x < 0 {
            negative.add(key(-x), 1)
        } else {
            zeroCount += 1
        }
    }

    /// The bucket of a finite magnitude > 0: ⌈log_γ magnitude⌉, computed
    /// without `log` for most values but always equal to
    /// `Int((log(magnitude) * multiplier).rounded(.up))` (``SketchIndex``).
    @inline(__always)
    func key(_ magnitude: Double) -> Int {
        let m = multiplier
        return SketchIndex.table.withUnsafeBufferPointer {
            SketchIndex.index(magnitude, multiplier: m, margin: SketchIndex.margin(multiplier: m), table: $0)
        }
    }

    /// The value bucket `k` answers with: 2γ^k/(γ + 1).
    func representative(_ k: Int) -> Double {
        exp(Double(k) / multiplier) * (2 / (gamma + 1))
    }

    /// Adds every value of `other` (which must have the same α).
    public mutating func merge(_ other: QuantileSketch) {
        precondition(other.alpha == alpha, "merging sketches of different accuracy")
        zeroCount += other.zeroCount
        positive.merge(other.positive)
        negative.merge(other.negative)
    }

    /// The estimate of the q-quantile (0 ≤ q ≤ 1): the value of the bucket
    /// holding the element of rank ⌊q·(n − 1)⌋ (0-based, ascending); nil when
    /// empty. See the type's documentation for the error bound.
    public func quantile(_ q: Double) -> Double? {
        let n = count
        guard n > 0 else { return nil }
        let rank = UInt64((min(max(q, 0), 1) * Double(n - 1)).rounded(.down))
        var seen: UInt64 = 0
        // Ascending values: negatives from the largest magnitude down, zeros, positives up.
        for i in stride(from: negative.counts.count - 1, through: 0, by: -1) where negative.counts[i] > 0 {
            seen += negative.counts[i]
            if seen > rank { return -representative(negative.offset + i) }
        }
        seen += zeroCount
        if seen > rank { return 0 }
        for i in 0..<positive.counts.count where positive.counts[i] > 0 {
            seen += positive.counts[i]
            if seen > rank { return representative(positive.offset + i) }
        }
        return positive.counts.isEmpty ? 0 : representative(positive.offset + positive.counts.count - 1)
    }
}

/// Counts of consecutive buckets `offset ..< offset + counts.count`, at most
/// ``QuantileSketch/maxBuckets`` of them below the largest (lower ones folded).
struct BucketStore: Sendable, Equatable {
    var offset = 0
    var counts: [UInt64] = []
    var total: UInt64 = 0

    @inline(__always)
    mutating func add(_ key: Int, _ n: UInt64) {
        if counts.isEmpty {
            offset = key
            counts = [n]
            total = n
            return
        }
        total += n
        let i = key - offset
        if i >= 0 && i < counts.count {
            counts[i] += n
            return
        }
        addOutside(key, n)
    }

    private mutating func addOutside(_ key: Int, _ n: UInt64) {
        let limit = QuantileSketch.maxBuckets
        let top = offset + counts.count - 1
        if key > top {
            counts.append(contentsOf: repeatElement(0, count: key - top))
            counts[counts.count - 1] += n
            if counts.count > limit {
                // Fold everything below the lowest allowed bucket into it.
                let drop = counts.count - limit
                let folded = counts[0..<drop].reduce(0, +)
                counts.removeFirst(drop)
                counts[0] += folded
                offset += drop
            }
        } else {
            // key < offset: grow downwards, up to the lowest allowed bucket.
            let lowest = top - limit + 1
            let k = max(key, lowest)
            if k < offset {
                counts.insert(contentsOf: repeatElement(0, count: offset - k), at: 0)
                offset = k
            }
            counts[k - offset] += n
        }
    }

    mutating func merge(_ other: BucketStore) {
        guard !other.counts.isEmpty else { return }
        // Largest first, so the folding window is set once.
        for i in stride(from: other.counts.count - 1, through: 0, by: -1) where other.counts[i] > 0 {
            add(other.offset + i, other.counts[i])
        }
    }
}

/// Count, minimum, maximum, mean and M2 (Σ (x − mean)²) of finite numbers,
/// mergeable with Chan, Golub and LeVeque's parallel update:
///
///     n = nA + nB,  δ = meanB − meanA,
///     mean = meanA + δ·nB/n,  M2 = M2A + M2B + δ²·nA·nB/n
///
/// Values are added one at a time with Welford's update (the same formulas
/// with nB = 1), so no sum of squares is ever formed.
///
/// ```swift
/// var m = Moments(); m.add(1); m.add(3)
/// m.mean            // 2
/// m.sampleVariance  // 2
/// ```
public struct Moments: Sendable, Equatable {
    /// Values added.
    public private(set) var count: UInt64 = 0
    /// The smallest value (+∞ when empty).
    public private(set) var min = Double.infinity
    /// The largest value (−∞ when empty).
    public private(set) var max = -Double.infinity
    /// The mean (0 when empty).
    public private(set) var mean = 0.0
    /// Σ (x − mean)².
    public private(set) var m2 = 0.0

    /// No values.
    public init() {}

    init(count: UInt64, min: Double, max: Double, mean: Double, m2: Double) {
        self.count = count; self.min = min; self.max = max; self.mean = mean; self.m2 = m2
    }

    /// Adds a finite value.
    @inline(__always)
    public mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
        if x < min { min = x }
        if x > max { max = x }
    }

    /// Combines with the values of `other` (Chan et al.).
    public mutating func merge(_ other: Moments) {
        guard other.count > 0 else { return }
        guard count > 0 else { self = other; return }
        let na = Double(count), nb = Double(other.count), n = na + nb
        let delta = other.mean - mean
        mean += delta * nb / n
        m2 += other.m2 + delta * delta * na * nb / n
        count += other.count
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    /// M2/n (nil when empty).
    public var populationVariance: Double? { count > 0 ? m2 / Double(count) : nil }
    /// M2/(n − 1), pandas' default (nil below two values).
    public var sampleVariance: Double? { count > 1 ? m2 / Double(count - 1) : nil }
}

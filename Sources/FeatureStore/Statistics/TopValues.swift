/// A Misra–Gries heavy-hitters summary with k counters, in its mergeable form
/// (Agarwal et al., "Mergeable Summaries", PODS 2012).
///
/// It keeps at most ``capacity`` (k) values with counters. A kept counter
/// never overestimates, and underestimates by at most
/// ``errorBound(total:)`` = (n − Σ counters)/(k + 1) ≤ n/(k + 1), n being the
/// number of values summarized: for every value v with true count f(v),
///
///     f(v) − (n − Σ counters)/(k + 1) ≤ estimate(v) ≤ f(v)
///
/// (estimate 0 for a value not kept). So every value more frequent than
/// n/(k + 1) is kept. While at most k distinct values were seen the counts are
/// exact. Merging adds the counters, then, when more than k remain, subtracts
/// the (k+1)-th largest from all and drops those left at 0 or below; the bound
/// holds across any tree of merges (the result may depend on the merge order
/// only within the bound).
///
/// ```swift
/// var t = TopValues()
/// t.add("DE", count: 3); t.add("FR", count: 1)
/// t.top(1)   // [("DE", 3)]
/// ```
public struct TopValues: Sendable, Equatable {
    /// Counters kept by default.
    public static let defaultCapacity = 128

    /// k: the most counters kept.
    public let capacity: Int
    /// The kept values and their (under-)estimated counts.
    public private(set) var counters: [String: UInt64] = [:]

    /// An empty summary keeping at most `capacity` (k) counters.
    public init(capacity: Int = TopValues.defaultCapacity) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Σ counters.
    public var keptTotal: UInt64 { counters.values.reduce(0, +) }

    /// Counts `count` occurrences of `value`.
    public mutating func add(_ value: String, count: UInt64 = 1) {
        counters[value, default: 0] += count
        if counters.count > capacity { prune() }
    }

    /// Adds `count` occurrences of each value of `counts` (distinct values),
    /// then prunes to k once. This is a merge with the summary `counts` (an
    /// exact one, or itself a Misra–Gries summary, e.g. a batch's counts
    /// pruned by ``ByteCounter/distinct(prunedTo:bytes:)``), so the bound
    /// (n − Σ counters)/(k + 1) holds for weighted updates as for single ones:
    /// adding raises n and Σ alike, and a prune that subtracts c from every
    /// counter takes at least (k + 1)·c from Σ while lowering any estimate by
    /// at most c.
    mutating func add(counts: [(value: String, count: UInt64)]) {
        guard !counts.isEmpty else { return }
        for (v, c) in counts { counters[v, default: 0] += c }
        if counters.count > capacity { prune() }
    }

    /// Adds the counters of `other` (same capacity), then prunes to k.
    public mutating func merge(_ other: TopValues) {
        for (v, c) in other.counters { counters[v, default: 0] += c }
        if counters.count > capacity { prune() }
    }

    /// Subtracts the (k+1)-th largest counter from every counter and drops the
    /// ones left at zero: at least k + 1 counters lose that much each, which is
    /// what bounds the error by (n − Σ counters)/(k + 1).
    mutating func prune() {
        let sorted = counters.values.sorted(by: >)
        let c = sorted[capacity]
        var next: [String: UInt64] = [:]
        next.reserveCapacity(capacity)
        for (v, n) in counters where n > c { next[v] = n - c }
        counters = next
    }

    /// The largest error of any estimate, given the number of values summarized.
    public func errorBound(total: UInt64) -> UInt64 {
        let kept = keptTotal
        return total > kept ? (total - kept) / UInt64(capacity + 1) : 0
    }

    /// The `n` values with the largest counters, largest first (ties by value).
    public func top(_ n: Int) -> [(value: String, count: UInt64)] {
        counters.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(n).map { (value: $0.key, count: $0.value) }
    }
}

import Tabular

/// The mergeable statistics of one feature over some events (a day of one
/// schema version in the `feature_stats` database, or any merge of those).
///
/// - ``count``: non-null values; ``nulls``: null or absent values.
/// - Numbers (int32, int64, float32, float64, timestamp as UTC µs):
///   ``nonFinite`` counts NaN and ±∞, which are left out of ``moments``
///   (min, max, mean, M2) and ``sketch`` (quantiles).
/// - Strings and bools (`"true"`/`"false"`): ``top``, the most frequent values.
/// - bytes and vectors: count and nulls only.
///
/// ```swift
/// var a = FeatureSummary(kind: .numeric); a.add(1.5)
/// var b = FeatureSummary(kind: .numeric); b.addNull()
/// a.merge(b)   // count 1, nulls 1
/// ```
public struct FeatureSummary: Sendable, Equatable {
    /// What a summary holds; the raw value is its code in the stored record.
    public enum Kind: UInt8, Sendable {
        /// Events of a (day, schema version): only ``count``.
        case events = 0
        /// Numbers: moments and a quantile sketch.
        case numeric = 1
        /// Strings and bools: top values.
        case categorical = 2
        /// bytes and vectors: count and nulls.
        case other = 3

        /// The kind used for features of type `type`.
        public init(_ type: DataType) {
            switch type {
            case .int32, .int64, .float32, .float64, .timestamp: self = .numeric
            case .string, .bool: self = .categorical
            case .bytes, .float32Vector: self = .other
            }
        }
    }

    /// What the summary holds.
    public let kind: Kind
    /// Non-null values (events for ``Kind/events``).
    public var count: UInt64 = 0
    /// Null or absent values.
    public var nulls: UInt64 = 0
    /// NaN and ±∞ among ``count`` (numbers), left out of moments and sketch.
    public var nonFinite: UInt64 = 0
    /// count, min, max, mean, M2 of the finite values (numbers).
    public var moments = Moments()
    /// Numbers only.
    public var sketch: QuantileSketch?
    /// Strings and bools only.
    public var top: TopValues?

    /// An empty summary of `kind`.
    public init(kind: Kind) {
        self.kind = kind
        if kind == .numeric { sketch = QuantileSketch() }
        if kind == .categorical { top = TopValues() }
    }

    /// Adds a number (numeric summaries).
    @inline(__always)
    public mutating func add(_ x: Double) {
        count += 1
        guard x.isFinite else { nonFinite += 1; return }
        moments.add(x)
        sketch!.add(x)
    }

    /// Adds a null.
    public mutating func addNull(_ n: UInt64 = 1) { nulls += n }

    /// Adds everything `other` summarized (same kind).
    public mutating func merge(_ other: FeatureSummary) {
        precondition(kind == other.kind, "merging a \(other.kind) summary into a \(kind) one")
        count += other.count
        nulls += other.nulls
        nonFinite += other.nonFinite
        moments.merge(other.moments)
        if let s = other.sketch { sketch!.merge(s) }
        if let t = other.top { top!.merge(t) }
    }
}

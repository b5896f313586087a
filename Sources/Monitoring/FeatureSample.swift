/// The non-null values of one feature in one window, as the drift methods see
/// them: numbers (any numeric type, as `Double`) or categories (strings, bools).
///
/// Nulls, NaN and ±∞ are left out when building a sample, as Evidently drops
/// them before testing.
///
/// ```swift
/// let s = FeatureSample.numeric([1, 2, .nan, 3])   // count == 3
/// ```
public enum FeatureSample: Sendable, Equatable {
    case numeric([Double])
    case categorical([String])

    /// A numeric sample without NaN and infinities.
    /// (The array is shared, not copied, when every value is finite.)
    public static func numbers(_ values: [Double]) -> FeatureSample {
        values.allSatisfy(\.isFinite) ? .numeric(values) : .numeric(values.filter { $0.isFinite })
    }

    /// Number of values.
    public var count: Int {
        switch self {
        case .numeric(let v): v.count
        case .categorical(let v): v.count
        }
    }

    /// True for numbers.
    public var isNumeric: Bool {
        if case .numeric = self { return true }
        return false
    }

    /// Distinct values of this sample.
    public var distinctCount: Int {
        switch self {
        case .numeric(let v): Set(v).count
        case .categorical(let v): Set(v).count
        }
    }

    /// Distinct values of two samples together (pandas `concat(...).nunique()`).
    public static func distinctCount(_ a: FeatureSample, _ b: FeatureSample) -> Int {
        switch (a, b) {
        case (.numeric(let x), .numeric(let y)): Set(x).union(y).count
        case (.categorical(let x), .categorical(let y)): Set(x).union(y).count
        default: a.categories.union(b.categories).count
        }
    }

    /// Distinct values of two samples together, counted up to `limit + 1`:
    /// enough to compare with a limit without hashing every value of a large sample.
    public static func distinctCount(_ a: FeatureSample, _ b: FeatureSample, cappedAt limit: Int) -> Int {
        func capped<K: Hashable>(_ x: [K], _ y: [K]) -> Int {
            var seen = Set<K>()
            for v in x { if seen.insert(v).inserted, seen.count > limit { return seen.count } }
            for v in y { if seen.insert(v).inserted, seen.count > limit { return seen.count } }
            return seen.count
        }
        switch (a, b) {
        case (.numeric(let x), .numeric(let y)): return capped(x, y)
        case (.categorical(let x), .categorical(let y)): return capped(x, y)
        default: return capped(Array(a.categories), Array(b.categories))
        }
    }

    /// The values as category keys (numbers print in Swift's shortest form).
    var categories: Set<String> {
        switch self {
        case .numeric(let v): Set(v.map { String($0) })
        case .categorical(let v): Set(v)
        }
    }

    /// Counts per distinct value of `self` and `other`, in one shared key order:
    /// `(reference counts, current counts)`. Keys present in only one sample get 0 in the other.
    func jointCounts(_ other: FeatureSample) -> (reference: [Double], current: [Double]) {
        switch (self, other) {
        case (.numeric(let x), .numeric(let y)): return Self.joint(x, y)
        case (.categorical(let x), .categorical(let y)): return Self.joint(x, y)
        default: return Self.joint(Array(categoriesList), Array(other.categoriesList))
        }
    }

    private var categoriesList: [String] {
        switch self {
        case .numeric(let v): v.map { String($0) }
        case .categorical(let v): v
        }
    }

    private static func joint<K: Hashable>(_ x: [K], _ y: [K]) -> ([Double], [Double]) {
        var index: [K: Int] = [:]
        var a: [Double] = []
        var b: [Double] = []
        for v in x {
            if let i = index[v] { a[i] += 1 } else { index[v] = a.count; a.append(1); b.append(0) }
        }
        for v in y {
            if let i = index[v] { b[i] += 1 } else { index[v] = a.count; a.append(0); b.append(1) }
        }
        return (a, b)
    }
}

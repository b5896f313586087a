import FeatureStore

/// A quality gate on a model version's metrics, as given to `--require`:
/// `auc>=0.85`, `logloss<0.4`, `drift_psi!=1`.
///
/// Operators: `>=`, `>`, `<=`, `<`, `==`, `!=`. Spaces around the parts are
/// allowed (`"auc >= 0.85"`).
///
/// ```swift
/// let gate = try QualityGate(parsing: "auc>=0.85")
/// gate.passes(0.91)   // true
/// ```
public struct QualityGate: Sendable, Equatable, CustomStringConvertible {
    /// A comparison.
    public enum Comparison: String, Sendable, CaseIterable {
        /// `>=`
        case atLeast = ">="
        /// `>`
        case above = ">"
        /// `<=`
        case atMost = "<="
        /// `<`
        case below = "<"
        /// `==`
        case equal = "=="
        /// `!=`
        case notEqual = "!="

        /// Whether `value` compares so with `threshold`.
        public func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .atLeast: value >= threshold
            case .above: value > threshold
            case .atMost: value <= threshold
            case .below: value < threshold
            case .equal: value == threshold
            case .notEqual: value != threshold
            }
        }
    }

    /// The metric's name.
    public var metric: String
    /// How it must compare.
    public var comparison: Comparison
    /// With what.
    public var threshold: Double

    /// Makes a gate.
    public init(metric: String, comparison: Comparison, threshold: Double) {
        self.metric = metric; self.comparison = comparison; self.threshold = threshold
    }

    /// Parses `METRIC OP NUMBER`; the error shows the expected form.
    public init(parsing text: String) throws {
        let expected = "expected METRIC OP NUMBER with OP one of >=, >, <=, <, ==, != (as in 'auc>=0.85')"
        let scalars = Array(text.unicodeScalars)
        guard let start = scalars.firstIndex(where: { "<>=!".unicodeScalars.contains($0) }) else {
            throw RegistryError.invalid("invalid quality gate '\(text)': no comparison operator; \(expected)")
        }
        var end = start + 1
        while end < scalars.count, "<>=!".unicodeScalars.contains(scalars[end]) { end += 1 }
        let op = String(String.UnicodeScalarView(scalars[start..<end]))
        let metric = String(String.UnicodeScalarView(scalars[..<start])).trimmingWhitespace()
        let number = String(String.UnicodeScalarView(scalars[end...])).trimmingWhitespace()
        guard let comparison = Comparison(rawValue: op) else {
            throw RegistryError.invalid("invalid quality gate '\(text)': unknown operator '\(op)'; \(expected)")
        }
        guard !metric.isEmpty else {
            throw RegistryError.invalid("invalid quality gate '\(text)': missing metric name; \(expected)")
        }
        do { try ModelName.validateKey(metric, what: "metric") } catch let e as FeatureStoreError {
            throw RegistryError.invalid("invalid quality gate '\(text)': \(e.message)")
        }
        guard let threshold = Double(number), threshold.isFinite else {
            throw RegistryError.invalid("invalid quality gate '\(text)': '\(number)' is not a number; \(expected)")
        }
        self.init(metric: metric, comparison: comparison, threshold: threshold)
    }

    /// Whether a metric value passes.
    public func passes(_ value: Double) -> Bool { comparison.holds(value, threshold) }

    /// `auc>=0.85`.
    public var description: String { "\(metric)\(comparison.rawValue)\(MetricText.format(threshold))" }
}

/// A quality gate that failed: the alias was not changed. `fsctl` exits 3
/// ("condition found") on it, after printing ``description``.
public struct QualityGateFailure: Error, CustomStringConvertible, Sendable, Equatable {
    /// One failed gate and the value it saw.
    public struct Failed: Sendable, Equatable {
        /// The version whose metric failed (the alias's target or a canary).
        public var version: Int
        /// The gate.
        public var gate: QualityGate
        /// The metric's value.
        public var value: Double
    }

    /// The model.
    public var model: String
    /// The alias that was to be set.
    public var alias: String
    /// Every failed gate.
    public var failures: [Failed]

    /// `quality gate failed: churn/3 has auc=0.81, required auc>=0.85; alias 'production' not changed`.
    public var description: String {
        let parts = failures.map {
            "\(model)/\($0.version) has \($0.gate.metric)=\(MetricText.format($0.value)), required \($0.gate)"
        }
        return "quality gate failed: \(parts.joined(separator: "; ")); alias '\(alias)' not changed"
    }
}

/// Metric values as text: shortest round-trip form, integers without `.0`.
enum MetricText {
    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return String(x)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.unicodeScalars.first, f.properties.isWhitespace { s = s.dropFirst() }
        while let l = s.unicodeScalars.last, l.properties.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

import FeatureStore
import Tabular

/// What `fsctl stats TABLE` prints: the JSON shape (docs/cli.md) and the
/// terminal table, from a ``TableStatistics``.
struct FeatureStatisticsOutput: Encodable {
    struct TopValue: Encodable {
        var value: String
        var count: UInt64
    }

    struct Feature: Encodable {
        var feature: String
        var type: String
        var count: UInt64
        var nulls: UInt64
        var null_fraction: Double?
        var non_finite: UInt64?
        var min: Double?
        var max: Double?
        var mean: Double?
        var variance: Double?
        var std: Double?
        var p50: Double?
        var p90: Double?
        var p99: Double?
        /// α of the quantile sketch: each quantile is within α·|exact| of the exact one.
        var quantile_relative_error: Double?
        var top_values: [TopValue]?
        /// No top-value count is more than this below its true count.
        var top_values_error_bound: UInt64?
    }

    var table: String
    /// `[first day 00:00, last day 23:59:59.999999]`, or nil for every day.
    var window: [String]?
    var events: UInt64
    var days: [String]
    var features: [Feature]

    /// Top values listed in JSON (the terminal shows three).
    static let topValues = 10

    init(_ s: TableStatistics) {
        table = s.table
        window = s.window.map { [Timestamp.format($0.lowerBound), Timestamp.format($0.upperBound)] }
        events = s.events
        days = s.days.map { String(Timestamp.format($0).prefix(10)) }
        features = s.features.map { f in
            let m = f.summary.moments
            let numeric = f.summary.kind == .numeric
            let finite = numeric && m.count > 0
            return Feature(
                feature: f.name, type: f.type.description, count: f.summary.count, nulls: f.summary.nulls,
                null_fraction: f.nullFraction, non_finite: numeric ? f.summary.nonFinite : nil,
                min: finite ? m.min : nil, max: finite ? m.max : nil, mean: finite ? m.mean : nil,
                variance: m.sampleVariance, std: f.standardDeviation,
                p50: f.quantile(0.5), p90: f.quantile(0.9), p99: f.quantile(0.99),
                quantile_relative_error: f.summary.sketch?.alpha,
                top_values: f.summary.top.map { $0.top(Self.topValues).map { TopValue(value: $0.value, count: $0.count) } },
                top_values_error_bound: f.summary.top?.errorBound(total: f.summary.count))
        }
    }

    var text: String {
        let span = window.map { "\($0[0])..\($0[1])" } ?? "all days"
        var out = "table \(table): \(Format.thousands(Int(events))) events on \(Format.thousands(days.count)) \(days.count == 1 ? "day" : "days") (\(span))\n"
        var t = TextTable(["FEATURE", "TYPE", "COUNT", "NULLS", "NULL %", "MIN", "MAX", "MEAN", "STD", "P50", "P90", "P99", "TOP VALUES"])
        for f in features {
            let top = f.top_values.map { values -> String in
                guard !values.isEmpty else { return "-" }
                let shown = values.prefix(3).map { "\($0.value) \(Format.thousands(Int($0.count)))" }.joined(separator: ", ")
                let bound = f.top_values_error_bound ?? 0
                return shown + (values.count > 3 ? ", …" : "") + (bound > 0 ? " (±\(Format.thousands(Int(bound))))" : "")
            } ?? "-"
            t.add([f.feature, f.type, Format.thousands(Int(f.count)), Format.thousands(Int(f.nulls)),
                   f.null_fraction.map { Format.oneDecimal($0 * 100) } ?? "-",
                   Self.number(f.min), Self.number(f.max), Self.number(f.mean), Self.number(f.std),
                   Self.number(f.p50), Self.number(f.p90), Self.number(f.p99), top])
        }
        out += t.render()
        if let f = features.first(where: { $0.quantile_relative_error != nil }), let alpha = f.quantile_relative_error {
            out += "quantiles within \(Self.number(alpha * 100))% of the exact value (DDSketch); top values may undercount by the ± shown\n"
        }
        return out
    }

    /// Six significant digits: `31.5`, `0.000123457`, `1.23457e+12`; `-` for nil.
    static func number(_ x: Double?) -> String {
        guard let x else { return "-" }
        guard x.isFinite, x != 0 else { return x == 0 ? "0" : String(x) }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        let e = Int((abs(x)).log10Floor)
        let scale = pow10(5 - e)
        let r = (x * scale).rounded() / scale
        return String(r)
    }

    private static func pow10(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<abs(n) { p *= 10 }
        return n >= 0 ? p : 1 / p
    }
}

private extension Double {
    /// ⌊log10(self)⌋ for a positive finite value, without libm.
    var log10Floor: Int {
        var e = 0, x = self
        while x >= 10 { x /= 10; e += 1 }
        while x < 1 { x *= 10; e -= 1 }
        return e
    }
}

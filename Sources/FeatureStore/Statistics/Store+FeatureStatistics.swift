import LMDB
import Tabular

/// One feature's statistics over a window, merged from the stored day records.
public struct FeatureStatistics: Sendable, Equatable {
    /// The feature (of the table's current version).
    public var name: String
    /// The feature's type in the current version.
    public var type: DataType
    /// Count, nulls, moments, sketch or top values (see ``FeatureSummary``).
    /// Events of older schema versions that lack the feature (or had it with
    /// another type) count as nulls.
    public var summary: FeatureSummary

    /// nulls / (count + nulls); nil when there were no events.
    public var nullFraction: Double? {
        let n = summary.count + summary.nulls
        return n > 0 ? Double(summary.nulls) / Double(n) : nil
    }

    /// Sample standard deviation (ddof = 1, as pandas), nil below two finite values.
    public var standardDeviation: Double? { summary.moments.sampleVariance.map { $0.squareRoot() } }

    /// The sketch's estimate of quantile `q`, within ``QuantileSketch/alpha``
    /// relative error of the exact value; nil for non-numbers or no values.
    public func quantile(_ q: Double) -> Double? {
        guard let s = summary.sketch, let x = s.quantile(q) else { return nil }
        return min(max(x, summary.moments.min), summary.moments.max)
    }
}

/// The statistics of a table's features over whole UTC days
/// (``Store/featureStatistics(table:window:features:)``).
public struct TableStatistics: Sendable, Equatable {
    /// The table's name.
    public var table: String
    /// The window asked for, rounded out to whole UTC days
    /// (first day 00:00:00 to last day 23:59:59.999999); nil = every day.
    public var window: ClosedRange<Int64>?
    /// Events in the window (every schema version).
    public var events: UInt64
    /// Days of the window that hold events, oldest first (UTC midnight, µs).
    public var days: [Int64]
    /// One per feature asked for, in that order.
    public var features: [FeatureStatistics]
}

extension Store {
    /// Merges the statistics kept at ingest for the days of `window` (nil =
    /// all days): per feature of the table's current version (or `features`,
    /// in that order) count, nulls, min, max, mean, variance, quantiles
    /// (numbers) and top values (strings, bools). No event is read: only the
    /// day records, so the cost grows with days × features, not events.
    ///
    /// A day is included when any instant of it is in the window, so the
    /// window is rounded out to whole UTC days (``TableStatistics/window``).
    /// Events written under an older schema version contribute the features
    /// that version has with the same name and type; the others count as nulls.
    /// Statistics exist for events ingested or pushed since this version of
    /// the store software (older events are not counted).
    ///
    /// ```swift
    /// let s = try store.featureStatistics(table: "user_stats", window: t0...t1)
    /// s.features[0].summary.moments.mean
    /// s.features[0].quantile(0.99)
    /// ```
    /// Throws `notFound` for an unknown table or feature (with a suggestion),
    /// `invalid` for a window whose start is after its end.
    public func featureStatistics(table: String, window: ClosedRange<Int64>? = nil,
                                  features: [String]? = nil) throws -> TableStatistics {
        try environment.read { txn in
            let catalog = try loadCatalog(txn)
            guard let versions = catalog.tables[table], let current = versions.last else {
                throw FeatureStoreError.notFound("no feature table '\(table)'" + Self.suggest(table, in: Array(catalog.tables.keys)))
            }
            let defs = current.definition.features
            let chosen = try (features ?? defs.map(\.name)).map { name in
                guard let f = defs.first(where: { $0.name == name }) else {
                    throw FeatureStoreError.notFound("table '\(table)' has no feature '\(name)'" + Self.suggest(name, in: defs.map(\.name)))
                }
                return f
            }
            let (firstDay, lastDay) = Self.dayRange(window)
            var result = TableStatistics(table: table, window: window.map { _ in Self.dayWindow(firstDay, lastDay) },
                                         events: 0, days: [], features: [])
            var merged = chosen.map { FeatureSummary(kind: .init($0.type)) }
            var eventsByVersion: [Int: UInt64] = [:]
            // Per version, the index in `chosen` of each feature it has with the same type.
            var sameType: [Int: [String: Int]] = [:]
            for v in versions {
                var m: [String: Int] = [:]
                for (i, c) in chosen.enumerated() where v.definition.features.contains(where: { $0.name == c.name && $0.type == c.type }) {
                    m[c.name] = i
                }
                sameType[v.version] = m
            }
            guard let database = db.statistics else {
                result.features = zip(chosen, merged).map { FeatureStatistics(name: $0.name, type: $0.type, summary: $1) }
                return result
            }
            let start = StatisticsKey.prefix(StatisticsKey.featureDay, table: current.tableId, day: firstDay)
            let end = StatisticsKey.prefix(StatisticsKey.featureDay, table: current.tableId)
            try txn.withCursor(database) { c in
                var more = try c.seek(atLeast: start)
                while more, c.key.starts(with: end) {
                    guard let k = StatisticsKey.decodeFeatureDay(c.key) else {
                        throw FeatureStoreError.corrupt("feature statistics of '\(table)': malformed key")
                    }
                    let (day, version, name) = k
                    if day > lastDay { break }
                    if name.isEmpty {
                        let s = try FeatureSummary(decoding: c.value, what: "of '\(table)' day \(day)")
                        eventsByVersion[version, default: 0] += s.count
                        result.events += s.count
                        let midnight = Int64(day) * StatisticsKey.microsPerDay
                        if result.days.last != midnight { result.days.append(midnight) }
                    } else if let i = sameType[version]?[name] {
                        merged[i].merge(try FeatureSummary(decoding: c.value, what: "of '\(table):\(name)' day \(day)"))
                    }
                    more = try c.next()
                }
            }
            // Events of versions without the feature (or with another type) are nulls.
            for (version, n) in eventsByVersion {
                for (i, c) in chosen.enumerated() where sameType[version]?[c.name] == nil { merged[i].nulls += n }
            }
            result.features = zip(chosen, merged).map { FeatureStatistics(name: $0.name, type: $0.type, summary: $1) }
            return result
        }
    }

    /// First and last UTC day of `window` (all days when nil).
    static func dayRange(_ window: ClosedRange<Int64>?) -> (Int32, Int32) {
        guard let window else { return (Int32.min, Int32.max) }
        return (StatisticsKey.day(window.lowerBound), StatisticsKey.day(window.upperBound))
    }

    /// `first day 00:00 ... last day 23:59:59.999999` in µs.
    static func dayWindow(_ first: Int32, _ last: Int32) -> ClosedRange<Int64> {
        (Int64(first) * StatisticsKey.microsPerDay)...(Int64(last) * StatisticsKey.microsPerDay + StatisticsKey.microsPerDay - 1)
    }

    /// Merges one batch's statistics into the stored day records (in the
    /// batch's write transaction, so an aborted ingest changes none).
    func writeStatistics(_ statistics: StatisticsAccumulator, tableId: UInt32, txn: inout Transaction) throws {
        guard let database = db.statistics, !statistics.isEmpty else { return }
        try statistics.write(tableId: tableId, database: database, txn: &txn)
    }

    /// Deletes every statistics record of a table (with the table).
    func deleteStatistics(tableId: UInt32, txn: inout Transaction) throws {
        guard let database = db.statistics else { return }
        for kind in [StatisticsKey.featureDay, StatisticsKey.rejected] {
            _ = try deletePrefix(StatisticsKey.prefix(kind, table: tableId), in: database, txn: &txn)
        }
    }
}

import LMDB
import Tabular

/// What `fsctl validate` reports: per `expect` check, the events that broke
/// it in a window of whole UTC days.
public struct ValidationReport: Sendable, Equatable {
    /// One check of one feature.
    public struct CheckResult: Sendable, Equatable {
        /// The feature the check is declared on.
        public var feature: String
        /// Which check.
        public var check: ExpectCheck
        /// The check as declared (`min 300`, `in [1, 2]`, `not_null`), or
        /// `NaN with min/max/in`; "(no longer declared)" for a check the
        /// current version dropped that still has rejections in the window.
        public var expectation: String
        /// Events refused at ingest (`--on-invalid skip`) because of this
        /// check, recorded per day in the ingest's transaction. A refused
        /// event counts once, under the first check it failed.
        public var rejected: UInt64
        /// Stored events of the window that break the check as the current
        /// version declares it: events that landed before the check existed
        /// or was tightened. Each check counts an event that breaks it.
        public var stored: UInt64
        /// Whether the check is declared by the table's current version.
        public var declared: Bool
        /// rejected + stored.
        public var violations: UInt64 { rejected + stored }
    }

    /// The table's name.
    public var table: String
    /// The window asked for, rounded out to whole UTC days.
    public var window: ClosedRange<Int64>
    /// Stored events in the window.
    public var events: Int
    /// Checks in feature order, then check order (not_null, min, max, in, NaN).
    public var checks: [CheckResult]

    /// Whether any check has a violation in the window (`fsctl validate` exits 3).
    public var hasViolations: Bool { checks.contains { $0.violations > 0 } }
}

extension Store {
    /// Counts, per `expect` check of `table`, the events of the days of
    /// `window` (rounded out to whole UTC days) refused at ingest and the
    /// stored events that break the check as the current version declares it
    /// (one scan of the table's events; each event's features are read in its
    /// own schema version, a feature it lacks being null).
    ///
    /// ```swift
    /// let r = try store.validate(table: "user_stats", window: t0...t1)
    /// if r.hasViolations { … }
    /// ```
    /// Throws `notFound` for an unknown table.
    public func validate(table: String, window: ClosedRange<Int64>) throws -> ValidationReport {
        try environment.read { txn in
            let catalog = try loadCatalog(txn)
            guard let versions = catalog.tables[table], let current = versions.last else {
                throw FeatureStoreError.notFound("no feature table '\(table)'" + Self.suggest(table, in: Array(catalog.tables.keys)))
            }
            let (firstDay, lastDay) = Self.dayRange(window)
            let days = Self.dayWindow(firstDay, lastDay)
            var checks = Self.declaredChecks(current.definition)
            // Rejections recorded at ingest.
            if let database = db.statistics {
                let start = StatisticsKey.prefix(StatisticsKey.rejected, table: current.tableId, day: firstDay)
                let tablePrefix = StatisticsKey.prefix(StatisticsKey.rejected, table: current.tableId)
                try txn.withCursor(database) { c in
                    var more = try c.seek(atLeast: start)
                    while more, c.key.starts(with: tablePrefix) {
                        guard let k = StatisticsKey.decodeRejected(c.key), let n = RejectedCount.decode(c.value) else {
                            throw FeatureStoreError.corrupt("rejected-events record of '\(table)': malformed")
                        }
                        let (day, feature, check) = k
                        if day > lastDay { break }
                        if let i = checks.firstIndex(where: { $0.feature == feature && $0.check == check }) {
                            checks[i].rejected += n
                        } else {
                            checks.append(.init(feature: feature, check: check, expectation: "(no longer declared)",
                                                rejected: n, stored: 0, declared: false))
                        }
                        more = try c.next()
                    }
                }
            }
            let events = try Self.countStoredViolations(txn: txn, events: db.events, tableId: current.tableId,
                                                        versions: versions, window: days, checks: &checks)
            let order = current.definition.features.map(\.name)
            checks.sort { a, b in
                let ia = order.firstIndex(of: a.feature) ?? Int.max, ib = order.firstIndex(of: b.feature) ?? Int.max
                return ia != ib ? ia < ib : (a.feature != b.feature ? a.feature < b.feature : a.check < b.check)
            }
            return ValidationReport(table: table, window: days, events: events, checks: checks)
        }
    }

    /// The checks `definition` declares, with zero counts.
    static func declaredChecks(_ definition: FeatureTableDefinition) -> [ValidationReport.CheckResult] {
        var out: [ValidationReport.CheckResult] = []
        for f in definition.features {
            guard let e = f.expect, !e.isEmpty else { continue }
            func add(_ check: ExpectCheck, _ text: String) {
                out.append(.init(feature: f.name, check: check, expectation: text, rejected: 0, stored: 0, declared: true))
            }
            if e.notNull { add(.notNull, "not_null") }
            if let lo = e.min { add(.min, "min \(ExpectLiteral.number(lo))") }
            if let hi = e.max { add(.max, "max \(ExpectLiteral.number(hi))") }
            if let allowed = e.allowed { add(.allowed, "in \(ExpectationChecks.list(allowed))") }
            if f.type == .float32 || f.type == .float64, e.min != nil || e.max != nil || e.allowed != nil { add(.nan, "no NaN (min/max/in)") }
        }
        return out
    }

    /// Scans the events of `tableId` in `window`, evaluating the declared
    /// checks of `checks` on each; returns how many events the window holds.
    private static func countStoredViolations(txn: borrowing Transaction, events: Database, tableId: UInt32,
                                              versions: [FeatureTableVersion], window: ClosedRange<Int64>,
                                              checks: inout [ValidationReport.CheckResult]) throws -> Int {
        let current = versions[versions.count - 1].definition
        let evaluators = checks.enumerated().compactMap { i, c -> StoredCheck? in
            guard c.declared, let f = current.features.first(where: { $0.name == c.feature }) else { return nil }
            return StoredCheck(index: i, check: c.check, feature: f, versions: versions)
        }
        guard !evaluators.isEmpty else { return try countEvents(txn: txn, events: events, tableId: tableId, window: window) }
        let layouts = Dictionary(uniqueKeysWithValues: versions.map { ($0.version, RowLayout(types: $0.definition.features.map(\.type))) })
        var counts = [UInt64](repeating: 0, count: evaluators.count)
        var n = 0
        let prefix = KeyCodec.tablePrefix(tableId)
        let suffix = KeyCodec.orderSuffixBytes
        try txn.withCursor(events) { c in
            var more = try c.seek(atLeast: prefix)
            while more, c.key.count > prefix.count + suffix, c.key.starts(with: prefix) {
                let key = c.key
                let ts = KeyCodec.readInt64(key, at: key.count - suffix)
                if window.contains(ts) {
                    n += 1
                    let value = c.value
                    let version = value.count >= 4 ? Int(UInt32(littleEndian: value.loadUnaligned(as: UInt32.self))) : -1
                    let row = UnsafeRawBufferPointer(rebasing: value[min(4, value.count)...])
                    let layout = layouts[version]
                    for (k, e) in evaluators.enumerated() where e.breaks(row: row, layout: layout, version: version) {
                        counts[k] += 1
                    }
                }
                more = try c.next()
            }
        }
        for (k, e) in evaluators.enumerated() { checks[e.index].stored = counts[k] }
        return n
    }

    private static func countEvents(txn: borrowing Transaction, events: Database, tableId: UInt32,
                                    window: ClosedRange<Int64>) throws -> Int {
        let prefix = KeyCodec.tablePrefix(tableId)
        let suffix = KeyCodec.orderSuffixBytes
        var n = 0
        try txn.withCursor(events) { c in
            var more = try c.seek(atLeast: prefix)
            while more, c.key.count > prefix.count + suffix, c.key.starts(with: prefix) {
                if window.contains(KeyCodec.readInt64(c.key, at: c.key.count - suffix)) { n += 1 }
                more = try c.next()
            }
        }
        return n
    }
}

/// One declared check evaluated on stored rows of any schema version.
private struct StoredCheck {
    let index: Int
    let check: ExpectCheck
    let expectation: Expectation
    /// Feature index per schema version (same name and type), absent = null.
    let featureIndex: [Int: Int]
    let type: DataType
    let allowed: AllowedValues

    init(index: Int, check: ExpectCheck, feature: FeatureDefinition, versions: [FeatureTableVersion]) {
        self.index = index
        self.check = check
        expectation = feature.expect ?? Expectation()
        type = feature.type
        var m: [Int: Int] = [:]
        for v in versions {
            if let i = v.definition.features.firstIndex(where: { $0.name == feature.name && $0.type == feature.type }) { m[v.version] = i }
        }
        featureIndex = m
        allowed = AllowedValues(expectation.allowed)
    }

    /// Whether the event's row breaks this check (a null breaks only not_null).
    func breaks(row: UnsafeRawBufferPointer, layout: RowLayout?, version: Int) -> Bool {
        guard let layout, let f = featureIndex[version], row.count >= layout.fixedBytes, layout.isPresent(row, f) else {
            return check == .notNull
        }
        let x: Double
        switch type {
        case .int32: x = Double(layout.int32(row, f))
        case .int64: x = Double(layout.int64(row, f))
        case .float32: x = Double(layout.float32(row, f))
        case .float64: x = layout.float64(row, f)
        case .bool: return check == .allowed && !allowed.bools.contains(layout.bool(row, f))
        case .string: return check == .allowed && !allowed.strings.contains(Array(layout.bytes(row, f)))
        default: return false
        }
        switch check {
        case .notNull: return false
        case .nan: return x.isNaN
        case .min: return expectation.min.map { x < $0 } ?? false
        case .max: return expectation.max.map { x > $0 } ?? false
        case .allowed: return !x.isNaN && !allowed.numbers.contains(x)
        }
    }
}

import Testing
import Foundation
@testable import FeatureStore
import Tabular
import TestSupport

/// The point-in-time join against a naive reference (SPEC 7, STYLE 4): seeded
/// random events over three tables (different entities, composite keys,
/// TTLs 100 s / 30 s / none, two schema versions, nulls, equal event times
/// with different created times, exact ties broken by row), entity rows built
/// to land on every boundary, compared value by value under every option.
@Suite struct PointInTimeModelTests {
    /// One stored event as the reference sees it.
    struct Event {
        var table: String
        var key: [Value]
        var eventTime: Int64
        var created: Int64
        var batch: UInt64 = 0
        var row: Int
        var version: Int
        var values: [String: Value]  // absent = null
    }

    static let second: Int64 = 1_000_000
    static let ttls: [String: [Int: Int64]] = [
        "user_stats": [1: 100 * second, 2: 60 * second], "user_counts": [1: 30 * second], "merchant_stats": [1: 0],
    ]
    static let keyNames: [String: [String]] = [
        "user_stats": ["user_id"], "user_counts": ["user_id"], "merchant_stats": ["merchant_id", "region"],
    ]
    /// Features per table and version, with types.
    static let features: [String: [Int: [(String, DataType)]]] = [
        "user_stats": [1: [("age", .float64), ("country", .string)],
                       2: [("age", .float64), ("country", .string), ("tier", .int32)]],
        "user_counts": [1: [("clicks", .int64)]],
        "merchant_stats": [1: [("score", .float32), ("open", .bool)]],
    ]

    static func yaml(version: Int) -> String {
        """
        entities:
          - name: user
            join_keys: [{name: user_id, type: int64}]
          - name: merchant
            join_keys:
              - {name: merchant_id, type: string}
              - {name: region, type: int32}
        feature_tables:
          - name: user_stats
            entities: [user]
            ttl: \(version == 1 ? "100s" : "60s")
            created_timestamp_field: created_timestamp
            features:
              - {name: age, type: float64}
              - {name: country, type: string}
        \(version == 2 ? "      - {name: tier, type: int32}" : "")
          - name: user_counts
            entities: [user]
            ttl: 30s
            created_timestamp_field: created_timestamp
            features:
              - {name: clicks, type: int64}
          - name: merchant_stats
            entities: [merchant]
            created_timestamp_field: created_timestamp
            features:
              - {name: score, type: float32}
              - {name: open, type: bool}
        """
    }

    static let merchants: [[Value]] = [
        [.string("m1"), .int32(1)], [.string("m1"), .int32(2)], [.string("m2"), .int32(1)],
        [.string("a,b \"q\""), .int32(-3)], [.string("m10"), .int32(1)], [.string("none"), .int32(9)],  // last: no history
    ]

    final class World {
        let store: TempStore
        var events: [Event] = []
        var batchTimes: [UInt64: Int64] = [:]
        let base: Int64
        init() throws {
            store = try TempStore(PointInTimeModelTests.yaml(version: 1))
            base = (Clock.nowMicros() / PointInTimeModelTests.second - 1000) * PointInTimeModelTests.second
        }
    }

    /// Builds the store: 4 batches per table (2 under user_stats v1, then v2).
    static func makeWorld(seed: UInt64) throws -> World {
        let w = try World()
        var rng = SeededRandom(seed: seed)
        for round in 0..<4 {
            if round == 2 {
                _ = try w.store.store.apply(DefinitionsParser.parse(yaml: yaml(version: 2), file: "v2.yaml"))
            }
            for table in ["user_stats", "user_counts", "merchant_stats"] {
                let version = table == "user_stats" && round >= 2 ? 2 : 1
                var rows: [Event] = []
                let keys: [[Value]] = table == "merchant_stats" ? Array(merchants.dropLast())
                    : (1...10).map { [.int64(Int64($0))] }   // users 11, 12 have no history
                for key in keys {
                    for _ in 0..<rng.int(3) {
                        var eventTime = w.base + Int64(rng.int(400)) * second
                        if rng.chance(0.1) { eventTime += Int64(rng.int(1000)) }  // off the second
                        var created = eventTime + Int64(rng.int(60)) * second
                        if rng.chance(0.1) { created = w.base + 3000 * second }  // "created" in the future
                        var e = Event(table: table, key: key, eventTime: eventTime, created: created,
                                      row: rows.count, version: version, values: [:])
                        for (name, type) in features[table]![version]! where !rng.chance(0.2) {
                            e.values[name] = randomValue(type, &rng)
                        }
                        rows.append(e)
                        // Same event time, another created time; sometimes an exact tie (row breaks it).
                        if rng.chance(0.3) {
                            var twin = e
                            twin.row = rows.count
                            if rng.chance(0.5) { twin.created += Int64(rng.int(3) - 1) * second }
                            for (name, type) in features[table]![version]! where !rng.chance(0.2) {
                                twin.values[name] = randomValue(type, &rng)
                            }
                            rows.append(twin)
                        }
                    }
                }
                let path = try w.store.file("\(table)-\(round).csv", csv(table: table, version: version, rows))
                let result = try w.store.store.ingest(table: table, files: [path])
                let batch = result.batches[0]
                w.batchTimes[batch.id] = batch.createdAtMicros
                w.events += rows.map { var e = $0; e.batch = batch.id; return e }
                usleep(2000)
            }
        }
        return w
    }

    static func randomValue(_ type: DataType, _ rng: inout SeededRandom) -> Value {
        switch type {
        case .float64: return .float64(Double(rng.int(4000)) / 4 - 300)
        case .float32: return .float32(Float(rng.int(800)) / 8)
        case .int32: return .int32(Int32(rng.int(7)) - 2)
        case .int64: return .int64(Int64(rng.int(1 << 40)) - (1 << 39))
        case .bool: return .bool(rng.chance(0.5))
        // The last is longer than an event's slot in the join's row-ordered copy (its spill path).
        case .string: return .string(["FR", "DE", "a,b", "q\"x", " sp", String(repeating: "long country ", count: 5)][rng.int(6)])
        default: fatalError("no generator for \(type)")
        }
    }

    static func csvField(_ v: Value?) -> String {
        guard let v else { return "" }
        switch v {
        case .string(let s):
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == " " }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        case .timestamp(let t): return Timestamp.format(t)
        case .int32(let x): return "\(x)"
        default: return v.description
        }
    }

    static func csv(table: String, version: Int, _ rows: [Event]) -> String {
        let names = features[table]![version]!.map(\.0)
        var text = (keyNames[table]! + ["event_timestamp", "created_timestamp"] + names).joined(separator: ",") + "\n"
        for e in rows {
            let fields = e.key.map { csvField($0) } + [Timestamp.format(e.eventTime), Timestamp.format(e.created)]
                + names.map { csvField(e.values[$0]) }
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// Entity rows aimed at every boundary: before any event, exactly at an
    /// event, at t − ttl and 1 µs past it, random times; duplicates; keys with
    /// no history; a null label.
    static func entityRows(_ w: World, count: Int, rng: inout SeededRandom) -> [(user: Int64, merchant: [Value], t: Int64, label: String?)] {
        var rows: [(Int64, [Value], Int64, String?)] = []
        while rows.count < count {
            let user = Int64(1 + rng.int(12))
            let merchant = merchants[rng.int(merchants.count)]
            var t: Int64
            let pick = w.events[rng.int(w.events.count)]
            let ttl = [100, 60, 30][rng.int(3)] * second
            switch rng.int(7) {
            case 0: t = pick.eventTime
            case 1: t = pick.eventTime + ttl
            case 2: t = pick.eventTime + ttl + 1
            case 3: t = pick.eventTime - 1
            case 4: t = w.base - Int64(rng.int(100)) * second   // before every event
            default: t = w.base + Int64(rng.int(520)) * second - 20 * second
            }
            // Aim the row at the picked event's entity, half of the time.
            var u = user, m = merchant
            if rng.chance(0.5) {
                if pick.table == "merchant_stats" { m = pick.key } else if case .int64(let x) = pick.key[0] { u = x }
            }
            let label: String? = rng.chance(0.1) ? nil : "l\(rows.count)"
            rows.append((u, m, t, label))
            if rng.chance(0.05) { rows.append((u, m, t, label)) }  // duplicate row
        }
        return rows
    }

    static func entityBatch(_ rows: [(user: Int64, merchant: [Value], t: Int64, label: String?)]) -> RecordBatch {
        var user = Column(type: .int64), mid = Column(type: .string), region = Column(type: .int32)
        var ts = Column(type: .timestamp), label = Column(type: .string)
        for r in rows {
            user.appendInt64(r.user)
            if case .string(let s) = r.merchant[0] { mid.appendString(s) }
            if case .int32(let x) = r.merchant[1] { region.appendInt32(x) }
            ts.appendInt64(r.t)
            if let l = r.label { label.appendString(l) } else { label.appendNull() }
        }
        return RecordBatch(fields: [Field("label", .string), Field("user_id", .int64), Field("merchant_id", .string),
                                    Field("region", .int32), Field("event_timestamp", .timestamp)],
                           columns: [label, user, mid, region, ts], sourceLines: Array(2..<(rows.count + 2)))
    }

    /// The reference: filter, then take the maximum in "latest" order.
    static func reference(_ w: World, table: String, key: [Value], t: Int64, ttl: Int64,
                          maxBatch: UInt64, maxCreated: Int64, createdBeforeEntity: Bool) -> Event? {
        w.events.filter { e in
            e.table == table && e.key == key && e.eventTime <= t && (ttl == 0 || e.eventTime >= t - ttl)
                && e.batch <= maxBatch && e.created <= maxCreated && (!createdBeforeEntity || e.created <= t)
        }.max { a, b in
            (a.eventTime, a.created, a.batch, a.row) < (b.eventTime, b.created, b.batch, b.row)
        }
    }

    struct Case: CustomStringConvertible {
        var refs: [String]
        /// Expected (table, feature, type) per feature column, in order.
        var columns: [(table: String, feature: String, type: DataType)]
        var options = PointInTimeOptions()
        var asOfBatch: Int?  // asOf = commit time of the n-th batch
        var description: String { "\(refs) \(options.createdBeforeEntity ? "createdBeforeEntity " : "")\(asOfBatch.map { "asOf batch \($0)" } ?? "")" }
    }

    static func check(_ w: World, _ rows: [(user: Int64, merchant: [Value], t: Int64, label: String?)],
                      _ c: Case, inputBatches: Int) throws {
        var options = c.options
        var maxBatch = UInt64.max, maxCreated = Int64.max
        if let n = c.asOfBatch {
            let ids = w.batchTimes.keys.sorted()
            options.asOf = w.batchTimes[ids[n]]!
            maxBatch = ids[n]
            maxCreated = options.asOf!
        }
        let all = entityBatch(rows)
        // Split the rows into several input batches to cross block boundaries.
        let per = max(1, rows.count / inputBatches)
        var parts: [RecordBatch] = []
        var s = 0
        while s < rows.count {
            let e = min(rows.count, s + per)
            parts.append(entityBatch(Array(rows[s..<e])))
            s = e
        }
        var out: [RecordBatch] = []
        let summary = try w.store.store.historicalFeatures(
            refs: c.refs, entitySchema: all.fields, entities: BatchIterator(ArrayBatchSource(parts)),
            options: options) { out.append($0) }
        #expect(out.count == parts.count, "one output batch per input batch")
        let result = RecordBatch.concatenating(out, fields: summary.fields)
        #expect(result.rowCount == rows.count)
        let prefix = options.fullFeatureNames
        #expect(result.fields.map(\.name) == all.fields.map(\.name) + c.columns.map { prefix ? "\($0.table)__\($0.feature)" : $0.feature })
        // Entity columns pass through unchanged, in order.
        for k in 0..<all.columns.count { #expect(result.columns[k] == all.columns[k]) }
        var mismatches = 0
        for (i, r) in rows.enumerated() {
            for (k, col) in c.columns.enumerated() {
                let requestedVersions = c.refs.compactMap { ref -> Int? in
                    guard ref.hasPrefix(col.table + "@") || ref.hasPrefix(col.table + ":") else { return nil }
                    if ref.hasPrefix(col.table + "@") { return Int(ref.dropFirst(col.table.count + 1).prefix { $0 != ":" }) }
                    return Self.features[col.table]!.keys.max()
                }
                let ttl = ttls[col.table]![requestedVersions.max()!]!
                let key: [Value] = col.table == "merchant_stats" ? r.merchant : [.int64(r.user)]
                let event = reference(w, table: col.table, key: key, t: r.t, ttl: ttl, maxBatch: maxBatch,
                                      maxCreated: maxCreated, createdBeforeEntity: options.createdBeforeEntity)
                var expected: Value? = nil
                if let event, Self.features[col.table]![event.version]!.contains(where: { $0 == (col.feature, col.type) }) {
                    expected = event.values[col.feature]
                }
                let got = result.columns[all.columns.count + k].value(at: i)
                if got != expected {
                    mismatches += 1
                    if mismatches <= 5 {
                        Issue.record("\(c): row \(i) (user \(r.user), merchant \(r.merchant), t \(Timestamp.format(r.t))) \(col.table):\(col.feature): got \(String(describing: got)), expected \(String(describing: expected))")
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func matchesTheReference() throws {
        let w = try Self.makeWorld(seed: 42)
        var rng = SeededRandom(seed: 7)
        let rows = Self.entityRows(w, count: 600, rng: &rng)
        let all: [(String, String, DataType)] = [("user_stats", "age", .float64), ("user_stats", "country", .string),
                                                 ("user_stats", "tier", .int32), ("user_counts", "clicks", .int64),
                                                 ("merchant_stats", "score", .float32), ("merchant_stats", "open", .bool)]
        var cases: [Case] = [
            Case(refs: ["user_stats:*", "user_counts:clicks", "merchant_stats:*"], columns: all),
            // Requested order is kept across tables; pinned version 1 uses its TTL.
            Case(refs: ["merchant_stats:open", "user_stats@1:*", "user_counts:*", "merchant_stats:score"],
                 columns: [("merchant_stats", "open", .bool), ("user_stats", "age", .float64),
                           ("user_stats", "country", .string), ("user_counts", "clicks", .int64),
                           ("merchant_stats", "score", .float32)]),
            Case(refs: ["user_stats:*", "user_counts:clicks", "merchant_stats:*"], columns: all, asOfBatch: 4),
            Case(refs: ["user_stats:*", "user_counts:clicks", "merchant_stats:*"], columns: all, asOfBatch: 8),
        ]
        var full = cases[1]
        full.options.fullFeatureNames = true
        cases.append(full)
        var guarded = cases[0]
        guarded.options.createdBeforeEntity = true
        cases.append(guarded)
        var both = cases[3]
        both.options.createdBeforeEntity = true
        cases.append(both)
        for (n, c) in cases.enumerated() {
            var small = c
            small.options.blockRows = [1 << 18, 7, 100, 250][n % 4]
            // Release the map's pages after every entity, never, or between.
            small.options.releaseMapEvery = [1, 0, 200, 16 << 20][n % 4]
            // Each table walked in two parts (two threads) or in one.
            small.options.walkSplitMinimumRows = [0, Int.max, 0, 1][n % 4]
            try Self.check(w, rows, small, inputBatches: [1, 9, 4, 2][n % 4])
        }
    }

    @Test func anotherSeedWithManyEventsPerEntity() throws {
        let w = try Self.makeWorld(seed: 2024)
        var rng = SeededRandom(seed: 99)
        let rows = Self.entityRows(w, count: 300, rng: &rng)
        var c = Case(refs: ["user_counts:clicks", "user_stats:tier"],
                     columns: [("user_counts", "clicks", .int64), ("user_stats", "tier", .int32)])
        c.options.createdBeforeEntity = true
        c.options.blockRows = 50
        try Self.check(w, rows, c, inputBatches: 3)
    }
}

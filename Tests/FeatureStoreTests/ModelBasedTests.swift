import Testing
import Foundation
@testable import FeatureStore
import Tabular
import LMDB
import TestSupport

/// Ingest + materialize + online reads compared with ``ModelReference`` on
/// seeded random scenarios: composite keys (int64 + string, and int32 + int64 +
/// string across two entities) with awkward strings, a table with ttl and one
/// without, every feature type with nulls, timestamps drawn from a small set
/// (many ties on event and created time), several batches per call, pushes to
/// online, windows out of order and repeated, incremental runs, reads at the
/// exact TTL boundary, and a schema change mid-way. After every operation the
/// whole online state, the watermarks and `check` are compared.
@Suite struct ModelBasedTests {
    static let seeds: [UInt64] = Array(1...30)

    @Test(arguments: seeds)
    func randomScenario(seed: UInt64) throws {
        let scenario = try ModelScenario(seed: seed)
        defer { scenario.remove() }
        try scenario.run(operations: 24)
    }
}

struct ModelMismatch: Error, CustomStringConvertible {
    var description: String
}

final class ModelScenario {
    static let base = Timestamp.parse("2025-11-15T00:00:00Z")!
    static let slot: Int64 = 30 * 60 * 1_000_000
    static let hour: Int64 = 3_600_000_000
    static let ttl: Int64 = 3 * hour

    let seed: UInt64
    var rng: SeededRandom
    let dir: String
    let store: Store
    var model = ModelReference()
    /// Sorted by name (the order `materialize` walks them in).
    var tables: [ModelTable]
    var keys: [String: [ModelKey]] = [:]
    /// Keys of the right shape that no event ever uses: always NOT_FOUND.
    var ghosts: [String: [ModelKey]] = [:]
    var schemaVersion = 1
    var windows: [(Int64, Int64)] = []
    var files = 0
    var log: [String] = []
    /// How often each status was compared, so a scenario that stops reaching
    /// one (a generator change) fails instead of passing vacuously.
    var statusCounts: [FeatureStatus: Int] = [:]

    static let featuresV1: [(name: String, type: DataType)] = [
        ("flag", .bool), ("small", .int32), ("big", .int64), ("ratio", .float32), ("score", .float64),
        ("label", .string), ("blob", .bytes), ("seen_at", .timestamp), ("emb", .float32Vector(4)),
    ]
    static let featuresV2 = featuresV1 + [("extra", .float64), ("note", .string)]

    static func yaml(version: Int) -> String {
        let features = (version == 1 ? featuresV1 : featuresV2)
            .map { "      - {name: \($0.name), type: \"\($0.type)\"}" }.joined(separator: "\n")
        return """
        entities:
          - name: account
            join_keys:
              - {name: account_id, type: int64}
              - {name: region, type: string}
          - name: device
            join_keys:
              - {name: device_id, type: int32}
        feature_tables:
          - name: acct_recent
            entities: [account]
            ttl: 3h
            created_timestamp_field: created_timestamp
            features:
        \(features)
          - name: device_acct
            entities: [device, account]
            created_timestamp_field: created_timestamp
            features:
        \(features)

        """
    }

    init(seed: UInt64) throws {
        self.seed = seed
        rng = SeededRandom(seed: seed &* 0x2545_F491_4F6C_DD1D)
        dir = NSTemporaryDirectory() + "fs-model-\(seed)-" + UUID().uuidString
        var options = Environment.Options()
        options.durability = .noSync
        store = try Store.create(at: dir + "/store", options: options)
        try store.apply(DefinitionsParser.parse(yaml: Self.yaml(version: 1), file: "model.yaml"))
        let accountKeys: [(name: String, type: DataType)] = [("account_id", .int64), ("region", .string)]
        tables = [
            ModelTable(name: "acct_recent", ttl: Self.ttl, keys: accountKeys, features: Self.featuresV1),
            ModelTable(name: "device_acct", ttl: 0, keys: [("device_id", .int32)] + accountKeys, features: Self.featuresV1),
        ]
        // Accounts: edge ids and awkward regions; distinct byte for byte.
        var accounts: [ModelKey] = []
        var seen = Set<ModelKey>()
        while accounts.count < 10 {
            let id: Int64 = rng.chance(0.6) ? rng.pick([0, 1, -1, 42, Int64.min, Int64.max]) : Int64.random(in: .min ... .max, using: &rng)
            let k = ModelKey([.int64(id), .string(rng.string())])
            if seen.insert(k).inserted { accounts.append(k) }
        }
        let devices: [Int32] = [Int32.min, 0, 7, Int32.max]
        var combos: [ModelKey] = []
        var seenCombos = Set<ModelKey>()
        while combos.count < 10 {
            let k = ModelKey([.int32(rng.pick(devices))] + rng.pick(accounts).values)
            if seenCombos.insert(k).inserted { combos.append(k) }
        }
        keys["acct_recent"] = Array(accounts[0..<8])
        ghosts["acct_recent"] = Array(accounts[8...])
        keys["device_acct"] = Array(combos[0..<8])
        ghosts["device_acct"] = Array(combos[8...])
    }

    func remove() { if ProcessInfo.processInfo.environment["FS_MODEL_KEEP"] == nil { try? FileManager.default.removeItem(atPath: dir) } }

    func run(operations: Int) throws {
        let schemaChangeAt = rng.chance(0.7) ? Int.random(in: 4..<(operations - 4), using: &rng) : -1
        try verify()
        for i in 0..<operations {
            if i == schemaChangeAt {
                try changeSchema()
            } else {
                let r = Double.random(in: 0..<1, using: &rng)
                if r < 0.5 { try ingest() } else if r < 0.85 { try materialize() } else { try materializeIncremental() }
            }
            try verify()
        }
        for status in FeatureStatus.allCases {
            #expect(statusCounts[status, default: 0] > 0, "seed \(seed) never compared a \(status.rawValue) reading")
        }
        if ProcessInfo.processInfo.environment["FS_MODEL_VERBOSE"] != nil {
            let events = model.events.values.reduce(0) { $0 + $1.count }
            print("seed \(seed): \(events) events, \(files) files, statuses \(statusCounts.map { "\($0.key.rawValue)=\($0.value)" }.sorted())")
        }
    }

    // MARK: Operations

    /// A timestamp from a small set (half-hour slots), sometimes one microsecond off.
    func slotTime(_ range: ClosedRange<Int64> = 0...7) -> Int64 {
        var t = Self.base + Self.slot * Int64.random(in: range, using: &rng)
        if rng.chance(0.15) { t += rng.pick([-1, 1]) }
        return t
    }

    func makeRow(_ table: ModelTable) -> ModelRow {
        var values: [String: Value] = [:]
        for f in table.features where !rng.chance(0.25) { values[f.name] = rng.value(f.type) }
        let created: Int64? = rng.chance(0.8) ? Self.base + 15 * 60_000_000 * Int64.random(in: 0...2, using: &rng) : nil
        return ModelRow(key: rng.pick(keys[table.name]!), eventTimestamp: slotTime(), createdTimestamp: created, values: values)
    }

    func ingest() throws {
        let table = rng.pick(tables)
        let destination: IngestOptions.Destination = rng.pick([.offline, .offline, .online, .both])
        var paths: [String] = []
        var contents: [[ModelRow]] = []
        for _ in 0..<(rng.chance(0.2) ? 2 : 1) {
            var rows = (0..<Int.random(in: 1...40, using: &rng)).map { _ in makeRow(table) }
            let withCreated = rng.chance(0.75)
            if !withCreated { for i in rows.indices { rows[i].createdTimestamp = nil } }
            files += 1
            let path: String
            if ModelFiles.csvSafe(rows) && rng.chance(0.5) {
                path = dir + "/in-\(files).csv"
                try ModelFiles.csv(table, rows: rows, withCreated: withCreated).write(toFile: path, atomically: false, encoding: .utf8)
            } else {
                path = dir + "/in-\(files).jsonl"
                try ModelFiles.jsonl(table, rows: rows, withCreated: withCreated, rng: &rng)
                    .write(toFile: path, atomically: false, encoding: .utf8)
            }
            paths.append(path)
            contents.append(rows)
        }
        var options = IngestOptions()
        options.destination = destination
        options.force = true   // two random files could (in theory) be identical
        // Small read batches split a file into several sorted write chunks.
        options.batchSize = rng.pick([65_536, 65_536, 1, 3, 8])
        log.append("ingest \(table.name) \(destination) batch size \(options.batchSize) \(contents.map(\.count)) rows from \(paths.map { $0.split(separator: "/").last! })")
        let result = try store.ingest(table: table.name, files: paths, options: options)
        guard result.batches.count == contents.count else {
            throw ModelMismatch(description: "ingest returned \(result.batches.count) batches for \(contents.count) files")
        }
        for (batch, rows) in zip(result.batches, contents) {
            if batch.rows != rows.count || batch.rejected != 0 {
                throw ModelMismatch(description: "batch \(batch.id): \(batch.rows) rows landed, \(batch.rejected) rejected, of \(rows.count)")
            }
            let events = rows.enumerated().map { i, r in
                ModelEvent(key: r.key,
                           order: ModelOrder(eventTimestamp: r.eventTimestamp, createdTimestamp: r.createdTimestamp ?? batch.createdAtMicros,
                                             batch: batch.id, row: UInt32(i)),
                           values: r.values)
            }
            model.ingest(table: table.name, events: events, destination: destination)
        }
    }

    func materialize() throws {
        var (start, end): (Int64, Int64)
        if !windows.isEmpty && rng.chance(0.3) {
            (start, end) = rng.pick(windows)
        } else {
            let a = slotTime(-1...8), b = slotTime(-1...8)
            (start, end) = (min(a, b), max(a, b))
            windows.append((start, end))
        }
        let names: [String]? = rng.pick([nil, ["acct_recent"], ["device_acct"], ["device_acct", "acct_recent"]])
        if rng.chance(0.05) && start < end {
            log.append("materialize \(end)…\(start) (reversed)")
            #expect(throws: FeatureStoreError.self) { try self.store.materialize(start: end, end: start, tables: names) }
            return
        }
        log.append("materialize \(start)…\(end) \(names ?? ["all"])")
        let result = try store.materialize(start: start, end: end, tables: names)
        let targets = names ?? tables.map(\.name)
        for name in targets { model.materialize(table: name, start: start, end: end) }
        if result.tables.map(\.table) != targets || result.tables.map(\.watermark) != targets.map({ model.watermarks[$0]! }) {
            throw ModelMismatch(description: "materialize result \(result.tables.map { ($0.table, $0.watermark) })")
        }
    }

    func materializeIncremental() throws {
        let end = slotTime(-1...9)
        let names: [String]? = rng.pick([nil, nil, ["acct_recent"], ["device_acct"]])
        let targets = (names ?? tables.map(\.name)).map { n in tables.first { $0.name == n }! }
        var refusedAt: Int?
        for (i, t) in targets.enumerated() where model.incrementalStart(table: t, end: end) == nil {
            refusedAt = i
            break
        }
        log.append("materialize-incremental \(end) \(names ?? ["all"])" + (refusedAt.map { " (refused at \(targets[$0].name))" } ?? ""))
        if let refusedAt {
            #expect(throws: FeatureStoreError.self) { try self.store.materializeIncremental(end: end, tables: names) }
            for t in targets[..<refusedAt] { model.materialize(table: t.name, start: model.incrementalStart(table: t, end: end)!, end: end) }
        } else {
            let result = try store.materializeIncremental(end: end, tables: names)
            for (t, r) in zip(targets, result.tables) {
                let start = model.incrementalStart(table: t, end: end)!
                if r.table != t.name || r.start != (start == Int64.min ? nil : start) {
                    throw ModelMismatch(description: "incremental ran \(r.table) from \(String(describing: r.start)), expected \(t.name) from \(start)")
                }
                model.materialize(table: t.name, start: start, end: end)
            }
        }
    }

    func changeSchema() throws {
        log.append("apply version 2 (adds extra: float64, note: string)")
        let plan = try store.apply(DefinitionsParser.parse(yaml: Self.yaml(version: 2), file: "model-v2.yaml"))
        #expect(plan.hasChanges)
        schemaVersion = 2
        for i in tables.indices { tables[i].features = Self.featuresV2 }
    }

    // MARK: Comparison

    /// Times to read at: before, inside and long after the data, and for
    /// each online row of the ttl table exactly at its TTL boundary and one
    /// microsecond past it.
    func probeTimes(_ table: ModelTable) -> [Int64] {
        var out: [Int64] = [Self.base - Self.hour, Self.base + 2 * Self.hour + 7, Self.base + 100 * Self.hour]
        if table.ttl > 0 {
            let stamps = Set((model.online[table.name] ?? [:]).values.map(\.order.eventTimestamp)).sorted()
            for ts in stamps.prefix(4) { out += [ts + table.ttl, ts + table.ttl + 1] }
        }
        return out
    }

    func verify() throws {
        let context = "seed \(seed), after: \(log.suffix(6).joined(separator: " | "))"
        let report = try store.check()
        let offline = model.events.values.reduce(0) { $0 + $1.count }
        let online = model.online.values.reduce(0) { $0 + $1.count }
        guard report.isHealthy, report.events == offline, report.onlineRows == online else {
            throw ModelMismatch(description: "\(context): check: \(report.problems), \(report.events) events (model \(offline)), \(report.onlineRows) online rows (model \(online))")
        }
        var mismatches: [String] = []
        for table in tables {
            let watermark = try store.watermark(table: table.name)
            if watermark != model.watermarks[table.name] {
                mismatches.append("\(table.name): watermark \(String(describing: watermark)), model \(String(describing: model.watermarks[table.name]))")
            }
            let entities = keys[table.name]! + ghosts[table.name]!
            let query = try store.onlineQuery(refs: ["\(table.name):*"])
            let names = table.keys.map(\.name) + table.features.map(\.name)
            if query.columnNames != names {
                mismatches.append("\(table.name): columns \(query.columnNames), expected \(names)")
                continue
            }
            for at in probeTimes(table) {
                let got = try query.read(entities: entities.map(\.values), at: at)
                for (i, key) in entities.enumerated() {
                    for (k, v) in key.values.enumerated() where !modelSame(got.columns[k].values[i], v) {
                        mismatches.append("\(table.name) key column \(k) of entity \(i): \(String(describing: got.columns[k].values[i]))")
                    }
                    for (j, f) in table.features.enumerated() {
                        let c = got.columns[table.keys.count + j]
                        let expected = model.read(table: table, key: key, feature: f.name, at: at)
                        statusCounts[expected.status, default: 0] += 1
                        if c.statuses[i] != expected.status || c.eventTimestamps[i] != expected.eventTimestamp
                            || !modelSame(c.values[i], expected.value) {
                            let shown = ModelReading(value: c.values[i], status: c.statuses[i], eventTimestamp: c.eventTimestamps[i])
                            mismatches.append("\(table.name) \(key.values) \(f.name) at \(at): got \(shown), expected \(expected)")
                        }
                    }
                }
            }
        }
        // The text-keyed API used by `fsctl get` agrees with the prepared query.
        let table = tables[0]
        let at = Self.base + 3 * Self.hour
        let entities = keys[table.name]!
        let text = try store.onlineFeatures(
            refs: ["\(table.name):*"],
            entities: entities.map { k in Dictionary(uniqueKeysWithValues: zip(table.keys.map(\.name), k.values.map(ModelFiles.text))) },
            at: at)
        let typed = try store.onlineQuery(refs: ["\(table.name):*"]).read(entities: entities.map(\.values), at: at)
        if text != typed { mismatches.append("onlineFeatures with text keys differs from the prepared query") }
        if !mismatches.isEmpty {
            throw ModelMismatch(description: "\(context):\n  " + mismatches.prefix(12).joined(separator: "\n  ")
                                + (mismatches.count > 12 ? "\n  … \(mismatches.count - 12) more" : ""))
        }
    }
}

import LMDB
import Tabular
import FoundationEssentials

/// The result of `fsctl check`.
public struct CheckReport: Sendable, Codable, Equatable {
    /// Everything found wrong, one sentence each; empty when healthy.
    public var problems: [String] = []
    public var tables = 0
    public var events = 0
    public var onlineRows = 0
    public var batches = 0
    /// Training-set records (`training_sets`).
    public var trainingSets = 0
    /// Facts worth knowing that are not damage: a training set whose table
    /// was deleted since (it can no longer be reproduced).
    public var notes: [String] = []
    /// Reader slots of dead processes cleared while checking.
    public var staleReadersCleared = 0
    public var isHealthy: Bool { problems.isEmpty }

    /// A human summary, one line per fact.
    public var lines: [String] {
        var out = ["tables: \(tables)", "batches: \(batches)", "events: \(events)", "online rows: \(onlineRows)"]
        if trainingSets > 0 { out.append("training sets: \(trainingSets)") }
        if staleReadersCleared > 0 { out.append("stale reader slots cleared: \(staleReadersCleared)") }
        out += notes.map { "note: \($0)" }
        out.append(isHealthy ? "store is healthy" : "\(problems.count) problem(s) found")
        return out
    }

    enum CodingKeys: String, CodingKey { case problems, tables, events, onlineRows, batches, trainingSets, notes, staleReadersCleared, healthy }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        problems = try c.decode([String].self, forKey: .problems)
        tables = try c.decode(Int.self, forKey: .tables)
        events = try c.decode(Int.self, forKey: .events)
        onlineRows = try c.decode(Int.self, forKey: .onlineRows)
        batches = try c.decode(Int.self, forKey: .batches)
        trainingSets = try c.decodeIfPresent(Int.self, forKey: .trainingSets) ?? 0
        notes = try c.decodeIfPresent([String].self, forKey: .notes) ?? []
        staleReadersCleared = try c.decode(Int.self, forKey: .staleReadersCleared)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(problems, forKey: .problems)
        try c.encode(tables, forKey: .tables)
        try c.encode(events, forKey: .events)
        try c.encode(onlineRows, forKey: .onlineRows)
        try c.encode(batches, forKey: .batches)
        try c.encode(trainingSets, forKey: .trainingSets)
        try c.encode(notes, forKey: .notes)
        try c.encode(staleReadersCleared, forKey: .staleReadersCleared)
        try c.encode(isHealthy, forKey: .healthy)
    }
}

/// `fsctl check`: an integrity walk over every record of the store.
extension Store {
    /// Walks the catalog, batches, event log, online table, sources and
    /// watermarks in one read snapshot and reports every inconsistency: keys
    /// or rows that do not decode, unknown tables, versions or batches, and
    /// batches whose event count differs from their record.
    public func check() throws -> CheckReport {
        var report = CheckReport()
        report.staleReadersCleared = try environment.checkReaders()
        try environment.read { txn in
            let catalog: CatalogSnapshot
            do { catalog = try loadCatalog(txn) } catch {
                report.problems.append("catalog: \(error)")
                return
            }
            report.tables = catalog.tables.count
            // Tables by id, with their layouts per version and key types.
            var byId: [UInt32: (name: String, keyTypes: [DataType], layouts: [UInt32: RowLayout])] = [:]
            for (name, versions) in catalog.tables {
                for (i, v) in versions.enumerated() where v.version != i + 1 {
                    report.problems.append("table '\(name)': versions are not numbered 1…\(versions.count) (found \(v.version) at position \(i + 1))")
                }
                guard let current = versions.last else { continue }
                var keyTypes: [DataType] = []
                for e in current.definition.entities {
                    guard let entity = catalog.entities[e] else {
                        report.problems.append("table '\(name)': entity '\(e)' is not in the catalog")
                        continue
                    }
                    keyTypes += entity.joinKeys.map(\.type)
                }
                var layouts: [UInt32: RowLayout] = [:]
                for v in versions { layouts[UInt32(v.version)] = RowLayout(types: v.definition.features.map(\.type)) }
                byId[current.tableId] = (name, keyTypes, layouts)
            }
            for (name, service) in catalog.services {
                do { _ = try catalog.resolve(service: name) } catch {
                    report.problems.append("service '\(service.name)': \(error)")
                }
            }
            // Batches.
            var batchRows: [UInt64: BatchRecord] = [:]
            let decoder = JSONDecoder()
            try txn.withCursor(db.batches) { c in
                var more = try c.first()
                while more {
                    if let r = try? decoder.decode(BatchRecord.self, from: Data(c.value)) { batchRows[r.id] = r }
                    else { report.problems.append("batches: record \(Array(c.key)) does not decode") }
                    more = try c.next()
                }
            }
            report.batches = batchRows.count
            // Event log.
            var eventsPerBatch: [UInt64: Int] = [:]
            var problemsShown = 0
            func problem(_ text: String) {
                problemsShown += 1
                if problemsShown <= 100 { report.problems.append(text) }
                else if problemsShown == 101 { report.problems.append("… more problems not shown") }
            }
            try txn.withCursor(db.events) { c in
                var more = try c.first()
                while more {
                    report.events += 1
                    let key = c.key, value = c.value
                    guard key.count > 5 + KeyCodec.orderSuffixBytes, key[0] == KeyCodec.formatVersion else {
                        problem("events: key of \(key.count) bytes has a bad format"); more = try c.next(); continue
                    }
                    let tableId = KeyCodec.readUInt32(key, at: 1)
                    guard let table = byId[tableId] else {
                        problem("events: event of unknown table id \(tableId)"); more = try c.next(); continue
                    }
                    let entity = UnsafeRawBufferPointer(rebasing: key[5..<(key.count - KeyCodec.orderSuffixBytes)])
                    if let decoded = KeyCodec.decodeEntityKey(entity, types: table.keyTypes), decoded.length == entity.count {} else {
                        problem("events: table '\(table.name)': an entity key does not decode")
                    }
                    let order = EventOrder(key, at: key.count - KeyCodec.orderSuffixBytes)
                    eventsPerBatch[order.batchId, default: 0] += 1
                    if batchRows[order.batchId] == nil {
                        problem("events: table '\(table.name)': event of unknown batch \(order.batchId)")
                    }
                    if value.count < 4 {
                        problem("events: table '\(table.name)': value too short")
                    } else {
                        let version = UInt32(littleEndian: value.loadUnaligned(as: UInt32.self))
                        if let layout = table.layouts[version] {
                            if !layout.validate(UnsafeRawBufferPointer(rebasing: value[4...])) {
                                problem("events: table '\(table.name)' batch \(order.batchId): a row does not match schema version \(version)")
                            }
                        } else {
                            problem("events: table '\(table.name)': row of unknown schema version \(version)")
                        }
                    }
                    more = try c.next()
                }
            }
            for (id, record) in batchRows where record.destination != "online" && byId[record.tableId] != nil {
                let found = eventsPerBatch[id] ?? 0
                if found != record.rows {
                    problem("batch \(id) (\(record.table), \(record.source)): record says \(record.rows) rows, event log holds \(found)")
                }
            }
            // Online table.
            try txn.withCursor(db.online) { c in
                var more = try c.first()
                while more {
                    report.onlineRows += 1
                    let key = c.key, value = c.value
                    guard key.count > 5, key[0] == KeyCodec.formatVersion, let table = byId[KeyCodec.readUInt32(key, at: 1)] else {
                        problem("online: row of an unknown table or bad key format"); more = try c.next(); continue
                    }
                    let entity = UnsafeRawBufferPointer(rebasing: key[5...])
                    if let decoded = KeyCodec.decodeEntityKey(entity, types: table.keyTypes), decoded.length == entity.count {} else {
                        problem("online: table '\(table.name)': an entity key does not decode")
                    }
                    if value.count < KeyCodec.orderSuffixBytes + 4 {
                        problem("online: table '\(table.name)': value too short")
                    } else {
                        let order = EventOrder(value, at: 0)
                        if batchRows[order.batchId] == nil { problem("online: table '\(table.name)': row of unknown batch \(order.batchId)") }
                        let version = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: KeyCodec.orderSuffixBytes, as: UInt32.self))
                        if let layout = table.layouts[version] {
                            if !layout.validate(UnsafeRawBufferPointer(rebasing: value[(KeyCodec.orderSuffixBytes + 4)...])) {
                                problem("online: table '\(table.name)': a row does not match schema version \(version)")
                            }
                        } else {
                            problem("online: table '\(table.name)': row of unknown schema version \(version)")
                        }
                    }
                    more = try c.next()
                }
            }
            // Sources and watermarks.
            try txn.withCursor(db.sources) { c in
                var more = try c.first()
                while more {
                    if c.value.count != 8 || batchRows[KeyCodec.readUInt64(c.value, at: 0)] == nil {
                        problem("sources: an ingested-file entry points at no batch")
                    }
                    more = try c.next()
                }
            }
            try txn.withCursor(db.watermarks) { c in
                var more = try c.first()
                while more {
                    if c.key.count != 4 || byId[KeyCodec.readUInt32(c.key, at: 0)] == nil {
                        problem("watermarks: a watermark of an unknown table")
                    }
                    more = try c.next()
                }
            }
            // Training sets: each record decodes under its id; a table deleted
            // since is a note (deleting is allowed), not damage.
            try txn.withCursor(db.trainingSets) { c in
                var more = try c.first()
                while more {
                    report.trainingSets += 1
                    let key = String(decoding: c.key, as: UTF8.self)
                    if let r = try? decoder.decode(TrainingSetRecord.self, from: Data(c.value)) {
                        if r.id != key { problem("training_sets: record '\(key)' holds training set '\(r.id)'") }
                        for t in r.tables where byId[t.tableId] == nil {
                            let now = catalog.currentVersion(of: t.name).map { " (a table of that name now has id \($0.tableId))" } ?? ""
                            report.notes.append("training set \(r.id): feature table '\(t.name)' (table id \(t.tableId)) was deleted\(now); it cannot be reproduced")
                        }
                    } else {
                        problem("training_sets: record '\(key)' does not decode")
                    }
                    more = try c.next()
                }
            }
        }
        try checkLineage { report.problems.append($0) }
        return report
    }
}

import Foundation
@testable import FeatureStore
import Tabular
import TestSupport

// The naive in-memory reference the model-based test compares the store with
// (STYLE.md item 4): every event kept in a list with its order tuple;
// materialize = filter the window, take the max per key, keep it only when
// newer than the reference online row; a read applies the status rules.

/// "Latest" order of SPEC 5: event time, created time, batch, row in the file.
struct ModelOrder: Comparable, Hashable {
    var eventTimestamp: Int64
    var createdTimestamp: Int64
    var batch: UInt64
    var row: UInt32

    static func < (a: ModelOrder, b: ModelOrder) -> Bool {
        (a.eventTimestamp, a.createdTimestamp, a.batch, a.row) < (b.eventTimestamp, b.createdTimestamp, b.batch, b.row)
    }
}

/// An entity key: the join-key values in the table's key order. Equal when
/// the values are equal byte for byte (Swift's `String ==` would call
/// canonically equivalent strings equal; the store must not).
struct ModelKey: Hashable {
    var values: [Value]
    private var identity: [UInt8]

    init(_ values: [Value]) {
        self.values = values
        identity = []
        for v in values {
            switch v {
            case .int32(let x): identity += [1] + withUnsafeBytes(of: x) { Array($0) }
            case .int64(let x): identity += [2] + withUnsafeBytes(of: x) { Array($0) }
            case .string(let s): identity += [3] + withUnsafeBytes(of: s.utf8.count) { Array($0) } + Array(s.utf8)
            case .bytes(let b): identity += [4] + withUnsafeBytes(of: b.count) { Array($0) } + b
            default: preconditionFailure("join key value \(v)")
            }
        }
    }

    static func == (a: ModelKey, b: ModelKey) -> Bool { a.identity == b.identity }
    func hash(into h: inout Hasher) { h.combine(identity) }
}

/// Values compared bit for bit: strings by their UTF-8 bytes, floats by their
/// bit patterns (so -0.0 and 0.0 differ, as they must after a round trip).
func modelSame(_ a: Value?, _ b: Value?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (.string(let x)?, .string(let y)?): return Array(x.utf8) == Array(y.utf8)
    case (.float32(let x)?, .float32(let y)?): return x.bitPattern == y.bitPattern
    case (.float64(let x)?, .float64(let y)?): return x.bitPattern == y.bitPattern
    case (.vector(let x)?, .vector(let y)?): return x.map(\.bitPattern) == y.map(\.bitPattern)
    case (let x?, let y?): return x == y
    default: return false
    }
}

struct ModelEvent {
    var key: ModelKey
    var order: ModelOrder
    /// Feature values by name; a missing name is null.
    var values: [String: Value]
}

/// A feature table as the test sees it.
struct ModelTable {
    var name: String
    var ttl: Int64
    /// Join keys in key order (entity order, then key order).
    var keys: [(name: String, type: DataType)]
    var features: [(name: String, type: DataType)]
}

/// What one online read should return for one entity and feature.
struct ModelReading: Equatable, CustomStringConvertible {
    var value: Value?
    var status: FeatureStatus
    var eventTimestamp: Int64?
    var description: String { "\(status.rawValue) \(value.map { "\($0)" } ?? "nil") @\(eventTimestamp.map { "\($0)" } ?? "nil")" }
}

/// The reference store.
struct ModelReference {
    /// The offline event log, per table (events ingested `offline` or `both`).
    var events: [String: [ModelEvent]] = [:]
    /// The online table, per table and key.
    var online: [String: [ModelKey: ModelEvent]] = [:]
    var watermarks: [String: Int64] = [:]

    /// Offers `event` to the online table: it replaces the row only when newer.
    mutating func offer(_ event: ModelEvent, table: String) {
        if let current = online[table]?[event.key], !(current.order < event.order) { return }
        online[table, default: [:]][event.key] = event
    }

    /// One ingested file: its events in file order.
    mutating func ingest(table: String, events new: [ModelEvent], destination: IngestOptions.Destination) {
        if destination != .online { events[table, default: []] += new }
        if destination != .offline { for e in new { offer(e, table: table) } }
    }

    mutating func materialize(table: String, start: Int64, end: Int64) {
        var best: [ModelKey: ModelEvent] = [:]
        for e in events[table] ?? [] where e.order.eventTimestamp >= start && e.order.eventTimestamp <= end {
            if let b = best[e.key], !(b.order < e.order) { continue }
            best[e.key] = e
        }
        for e in best.values { offer(e, table: table) }
        watermarks[table] = max(watermarks[table] ?? end, end)
    }

    /// The start `materialize-incremental END` uses for `table`, or nil when it must refuse.
    func incrementalStart(table: ModelTable, end: Int64) -> Int64? {
        let start = watermarks[table.name] ?? (table.ttl > 0 ? end - table.ttl : Int64.min)
        return start <= end ? start : nil
    }

    func read(table: ModelTable, key: ModelKey, feature: String, at: Int64) -> ModelReading {
        guard let row = online[table.name]?[key] else { return ModelReading(value: nil, status: .notFound, eventTimestamp: nil) }
        let ts = row.order.eventTimestamp
        if table.ttl > 0 && ts < at - table.ttl { return ModelReading(value: nil, status: .outsideMaxAge, eventTimestamp: ts) }
        guard let v = row.values[feature] else { return ModelReading(value: nil, status: .nullValue, eventTimestamp: ts) }
        return ModelReading(value: v, status: .present, eventTimestamp: ts)
    }
}

// MARK: - Input files

/// One generated input row, before the store has given it a batch.
struct ModelRow {
    var key: ModelKey
    var eventTimestamp: Int64
    /// nil: the created-timestamp cell is null (or the column absent): ingest time.
    var createdTimestamp: Int64?
    var values: [String: Value]
}

enum ModelFiles {
    /// Whether every value of `rows` can be written to CSV (no NUL, no line breaks).
    static func csvSafe(_ rows: [ModelRow]) -> Bool {
        func ok(_ v: Value) -> Bool {
            if case .string(let s) = v { return !s.unicodeScalars.contains { $0 == "\0" || $0 == "\n" || $0 == "\r" } }
            return true
        }
        return rows.allSatisfy { r in r.key.values.allSatisfy(ok) && r.values.values.allSatisfy(ok) }
    }

    static func csv(_ table: ModelTable, rows: [ModelRow], withCreated: Bool) -> String {
        var header = table.keys.map(\.name) + ["event_timestamp"]
        if withCreated { header.append("created_timestamp") }
        header += table.features.map(\.name)
        var out = header.joined(separator: ",") + "\n"
        for r in rows {
            var cells = r.key.values.map(csvCell)
            cells.append(Timestamp.format(r.eventTimestamp))
            if withCreated { cells.append(r.createdTimestamp.map(Timestamp.format) ?? "") }
            for f in table.features { cells.append(r.values[f.name].map(csvCell) ?? "") }
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    static func csvCell(_ v: Value) -> String {
        switch v {
        case .string(let s):
            // By scalar: a quote followed by a combining mark is one Character.
            var out = String.UnicodeScalarView()
            for u in s.unicodeScalars {
                if u == "\"" { out.append(u) }
                out.append(u)
            }
            return "\"" + String(out) + "\""
        case .bytes(let b): return "\"" + Data(b).base64EncodedString() + "\""
        case .vector: return "\"" + text(v) + "\""
        default: return text(v)
        }
    }

    static func jsonl(_ table: ModelTable, rows: [ModelRow], withCreated: Bool, rng: inout SeededRandom) -> String {
        var out = ""
        for r in rows {
            var fields: [String] = []
            for (k, v) in zip(table.keys, r.key.values) { fields.append(jsonString(k.name) + ":" + json(v)) }
            fields.append("\"event_timestamp\":" + jsonString(Timestamp.format(r.eventTimestamp)))
            if withCreated { fields.append("\"created_timestamp\":" + (r.createdTimestamp.map { jsonString(Timestamp.format($0)) } ?? "null")) }
            for f in table.features {
                if let v = r.values[f.name] {
                    fields.append(jsonString(f.name) + ":" + json(v))
                } else if rng.chance(0.5) {
                    fields.append(jsonString(f.name) + ":null")   // null written out, or the key left out
                }
            }
            out += "{" + fields.joined(separator: ",") + "}\n"
        }
        return out
    }

    /// Plain text of a value (numbers in shortest round-trip form).
    static func text(_ v: Value) -> String {
        switch v {
        case .bool(let b): return b ? "true" : "false"
        case .int32(let x): return "\(x)"
        case .int64(let x): return "\(x)"
        case .float32(let x): return "\(x)"
        case .float64(let x): return "\(x)"
        case .string(let s): return s
        case .bytes(let b): return Data(b).base64EncodedString()
        case .timestamp(let t): return Timestamp.format(t)
        case .vector(let xs): return "[" + xs.map { "\($0)" }.joined(separator: ",") + "]"
        }
    }

    static func json(_ v: Value) -> String {
        switch v {
        case .string(let s): return jsonString(s)
        case .bytes, .timestamp: return jsonString(text(v))
        default: return text(v)
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

// MARK: - Random values

extension SeededRandom {
    /// A random value of `type`, biased towards edge cases.
    mutating func value(_ type: DataType) -> Value {
        switch type {
        case .bool: return .bool(Bool.random(using: &self))
        case .int32:
            return .int32(chance(0.3) ? pick([Int32.min, Int32.max, 0, -1, 1]) : Int32.random(in: .min ... .max, using: &self))
        case .int64:
            return .int64(chance(0.3) ? pick([Int64.min, Int64.max, 0, -1, 1]) : Int64.random(in: .min ... .max, using: &self))
        case .float32: return .float32(finiteFloat())
        case .float64: return .float64(finiteDouble())
        case .string: return .string(string())
        case .bytes: return .bytes((0..<Int.random(in: 0...12, using: &self)).map { _ in UInt8.random(in: 0...255, using: &self) })
        case .timestamp: return .timestamp(Int64.random(in: 0...4_102_444_800_000_000, using: &self))
        case .float32Vector(let n): return .vector((0..<n).map { _ in finiteFloat() })
        }
    }

    /// Any finite float: random bit patterns reach subnormals and extremes.
    mutating func finiteFloat() -> Float {
        if chance(0.5) { return Float(Int.random(in: -1000...1000, using: &self)) / 8 }
        while true {
            let x = Float(bitPattern: UInt32.random(in: .min ... .max, using: &self))
            if x.isFinite { return x }
        }
    }

    mutating func finiteDouble() -> Double {
        if chance(0.5) { return Double(Int.random(in: -100_000...100_000, using: &self)) / 16 }
        while true {
            let x = Double(bitPattern: UInt64.random(in: .min ... .max, using: &self))
            if x.isFinite { return x }
        }
    }

    /// Strings with commas, quotes, unicode, spaces, and sometimes NULs and line breaks.
    mutating func string() -> String {
        if chance(0.4) { return pick(SeededRandom.awkwardStrings) }
        let alphabet: [Unicode.Scalar] = ["a", "b", "Z", " ", ",", "\"", "'", "\\", "é", "ß", "日", "本", "🎉", "\u{301}", "\0", "\n", "\t"]
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...10, using: &self) { s.append(pick(alphabet)) }
        return String(s)
    }

    static let awkwardStrings = [
        "", "fr", "f", "fr\0", "a,b", "say \"hi\"", "\"", ",", " lead", "trail ", "日本語", "e\u{301}", "🎉",
        "nul\0mid", "\0", "\0\0", "x\u{FF}", "line\nbreak", "tab\there",
    ]
}

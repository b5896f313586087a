import Tabular

/// The status of one feature value in an online lookup (Feast's, plus
/// `OUTSIDE_MAX_AGE` for values older than the table's ttl, which come back null).
public enum FeatureStatus: String, Sendable, Codable, CaseIterable {
    case present = "PRESENT"
    case nullValue = "NULL_VALUE"
    case notFound = "NOT_FOUND"
    case outsideMaxAge = "OUTSIDE_MAX_AGE"
}

/// One output column of an online lookup: a join key or a feature, with a
/// value, a status and an event timestamp per requested entity.
public struct OnlineColumn: Sendable, Equatable {
    public var name: String
    public var type: DataType
    public var values: [Value?]
    public var statuses: [FeatureStatus]
    /// The event time of the value (nil for join keys and NOT_FOUND).
    public var eventTimestamps: [Int64?]

    public init(name: String, type: DataType) {
        self.name = name; self.type = type
        values = []; statuses = []; eventTimestamps = []
    }

    mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        statuses.removeAll(keepingCapacity: true)
        eventTimestamps.removeAll(keepingCapacity: true)
    }

    /// Makes the column `count` rows long. A reused result of the same size
    /// keeps its storage and is then overwritten in place by ``set(_:_:_:_:)``.
    @inline(__always)
    mutating func resize(_ count: Int) {
        if values.count == count && statuses.count == count && eventTimestamps.count == count { return }
        removeAll()
        values.append(contentsOf: repeatElement(nil, count: count))
        statuses.append(contentsOf: repeatElement(.notFound, count: count))
        eventTimestamps.append(contentsOf: repeatElement(nil, count: count))
    }

    @inline(__always)
    mutating func set(_ row: Int, _ value: Value?, _ status: FeatureStatus, _ eventTimestamp: Int64?) {
        values[row] = value
        statuses[row] = status
        eventTimestamps[row] = eventTimestamp
    }
}

/// The answer to an online lookup, column by column (join keys first, then
/// features in the order requested), as Feast's feature server shapes it.
public struct OnlineFeatures: Sendable, Equatable {
    public var featureNames: [String] { columns.map(\.name) }
    public var columns: [OnlineColumn]
    /// Number of entities looked up.
    public var count: Int { columns.first?.values.count ?? 0 }

    public init(columns: [OnlineColumn]) { self.columns = columns }

    /// The column named `name`.
    public func column(_ name: String) -> OnlineColumn? { columns.first { $0.name == name } }

    /// Feast's feature-server JSON: `{"metadata": {"feature_names": [...]},
    /// "results": [{"values": [...], "statuses": [...], "event_timestamps": [...]}, ...]}`.
    public func feastJSON() -> String {
        var out = "{\"metadata\":{\"feature_names\":["
        out += columns.map { JSONText.string($0.name) }.joined(separator: ",")
        out += "]},\"results\":["
        for (ci, column) in columns.enumerated() {
            if ci > 0 { out += "," }
            out += "{\"values\":["
            out += column.values.map { JSONText.value($0) }.joined(separator: ",")
            out += "],\"statuses\":["
            out += column.statuses.map { "\"\($0.rawValue)\"" }.joined(separator: ",")
            out += "],\"event_timestamps\":["
            out += column.eventTimestamps.map { "\"" + Timestamp.format($0 ?? 0) + "\"" }.joined(separator: ",")
            out += "]}"
        }
        out += "]}"
        return out
    }
}

/// JSON text for values (no Foundation on this path).
enum JSONText {
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

    static func value(_ v: Value?) -> String {
        guard let v else { return "null" }
        switch v {
        case .bool(let b): return b ? "true" : "false"
        case .int32(let x): return "\(x)"
        case .int64(let x): return "\(x)"
        case .float32(let x): return x.isFinite ? "\(x)" : "null"
        case .float64(let x): return number(x)
        case .string(let s): return string(s)
        case .bytes(let b): return string(Base64.encode(b))
        case .timestamp(let t): return string(Timestamp.format(t))
        case .vector(let xs): return "[" + xs.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
        }
    }
}

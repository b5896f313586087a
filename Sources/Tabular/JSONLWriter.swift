/// A JSON value for ``JSONLWriter``.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// Written in shortest round-trip form; NaN and infinities, which JSON
    /// cannot hold, are written as the strings `"NaN"`, `"inf"`, `"-inf"`.
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in the given order.
    case object([(String, JSONValue)])

    /// Structural equality; NaN equals NaN.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.double(x), .double(y)): x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}

/// Writes JSON Lines: one object per ``write(_:)``, keys in the given order,
/// strings escaped per RFC 8259 (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`,
/// other controls as `\u00XX`; everything else as UTF-8). Buffered, 1 MiB chunks.
///
/// ```swift
/// let rejects = try JSONLWriter(path: "rejected.jsonl")
/// try rejects.write([("line", .int(7)), ("reason", .string("column 'age': cannot parse \"x\" as float64"))])
/// try rejects.close()
/// ```
public final class JSONLWriter {
    private let out: OutputFile

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws(TabularError) {
        out = try OutputFile(path: path)
    }

    /// Writes one object as one line.
    public func write(_ record: [(String, JSONValue)]) throws(TabularError) {
        var text: [UInt8] = []
        JSONLWriter.encode(.object(record), into: &text)
        text.append(10)
        try out.append(text)
    }

    /// Writes a rejected row as `{"line":…,"column":…,"value":…,"reason":…,"raw":…}`.
    public func write(rejected row: RejectedRow) throws(TabularError) {
        try write([
            ("line", .int(Int64(row.line))),
            ("column", row.column.map { .string($0) } ?? .null),
            ("value", row.value.map { .string($0) } ?? .null),
            ("reason", .string(row.reason)),
            ("raw", .string(row.raw)),
        ])
    }

    /// Flushes and closes the file. Further writes throw.
    public func close() throws(TabularError) { try out.close() }

    /// Appends the JSON text of `value` to `text`.
    public static func encode(_ value: JSONValue, into text: inout [UInt8]) {
        switch value {
        case .null: text += "null".utf8
        case .bool(let b): text += (b ? "true" : "false").utf8
        case .int(let v): text += String(v).utf8
        case .double(let v):
            if v.isFinite { text += v.description.utf8 } else { encodeString(ValueFormatting.text(v), into: &text) }
        case .string(let s): encodeString(s, into: &text)
        case .array(let items):
            text.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { text.append(UInt8(ascii: ",")) }
                encode(item, into: &text)
            }
            text.append(UInt8(ascii: "]"))
        case .object(let members):
            text.append(UInt8(ascii: "{"))
            for (k, (key, item)) in members.enumerated() {
                if k > 0 { text.append(UInt8(ascii: ",")) }
                encodeString(key, into: &text)
                text.append(UInt8(ascii: ":"))
                encode(item, into: &text)
            }
            text.append(UInt8(ascii: "}"))
        }
    }

    static func encodeString(_ s: String, into text: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        text.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): text += "\\\"".utf8
            case UInt8(ascii: "\\"): text += "\\\\".utf8
            case 10: text += "\\n".utf8
            case 13: text += "\\r".utf8
            case 9: text += "\\t".utf8
            case 8: text += "\\b".utf8
            case 12: text += "\\f".utf8
            case 0..<0x20, 0x7F:
                text += "\\u00".utf8
                text.append(hex[Int(c >> 4)])
                text.append(hex[Int(c & 15)])
            default: text.append(c)
            }
        }
        text.append(UInt8(ascii: "\""))
    }
}

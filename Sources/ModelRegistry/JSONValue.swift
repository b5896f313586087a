/// A parsed JSON document, for checking the structure of model files. Not a
/// hot path: models are parsed once, at registration.
enum JSONValue: Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var number: Double? { if case .number(let n) = self { return n }; return nil }

    /// A whole number stored as a number or as a numeric string (XGBoost writes its params as strings).
    var integer: Int? {
        switch self {
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? Int(n) : nil
        case .string(let s): return Int(s)
        default: return nil
        }
    }

    /// `object`, `array`, … for error messages.
    var kindName: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// Parses UTF-8 JSON; the error says `line L, column C: what`.
    static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var p = JSONParser(bytes: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.at >= bytes.count else { throw p.error("unexpected text after the JSON value") }
        return v
    }
}

/// Where and why a JSON document did not parse.
struct JSONParseError: Error, CustomStringConvertible {
    var line: Int
    var column: Int
    var message: String
    var description: String { "line \(line), column \(column): \(message)" }
}

private struct JSONParser {
    let bytes: [UInt8]
    var at = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> JSONParseError {
        var line = 1, column = 1
        for b in bytes[..<min(at, bytes.count)] {
            if b == 10 { line += 1; column = 1 } else { column += 1 }
        }
        return JSONParseError(line: line, column: column, message: message)
    }

    mutating func skipSpace() {
        while at < bytes.count, [32, 9, 10, 13].contains(bytes[at]) { at += 1 }
    }

    mutating func expect(_ literal: String, _ v: JSONValue) throws(JSONParseError) -> JSONValue {
        let l = Array(literal.utf8)
        guard at + l.count <= bytes.count, Array(bytes[at..<at + l.count]) == l else {
            var end = at
            while end < bytes.count, end - at < 24, !" \t\r\n,:[]{}".utf8.contains(bytes[end]) { end += 1 }
            throw error("unexpected text '\(String(decoding: bytes[at..<max(end, at + 1)], as: UTF8.self))'")
        }
        at += l.count
        return v
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < 512 else { throw error("nesting deeper than 512 levels") }
        guard at < bytes.count else { throw error("unexpected end of file") }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            at += 1
            var o: [String: JSONValue] = [:]
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(o) }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw error("expected a key in quotes") }
                let key = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                at += 1
                skipSpace()
                o[key] = try value(depth: depth + 1)
                skipSpace()
                guard at < bytes.count else { throw error("unexpected end of file in an object") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(o) }
                throw error("expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            at += 1
            var a: [JSONValue] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(a) }
            while true {
                skipSpace()
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard at < bytes.count else { throw error("unexpected end of file in an array") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(a) }
                throw error("expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = at
            while at < bytes.count, "+-0123456789.eE".utf8.contains(bytes[at]) { at += 1 }
            let text = String(decoding: bytes[start..<at], as: UTF8.self)
            guard let n = Double(text) else { at = start; throw error("invalid number '\(text)'") }
            return .number(n)
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            // Python's json writes NaN and Infinity; XGBoost never does, but accept them.
            if bytes[at] == UInt8(ascii: "N") { return try expect("NaN", .number(.nan)) }
            return try expect("Infinity", .number(.infinity))
        default:
            throw error("unexpected character '\(String(decoding: [bytes[at]], as: UTF8.self))'")
        }
    }

    mutating func string() throws(JSONParseError) -> String {
        at += 1  // opening quote
        var out: [UInt8] = []
        while at < bytes.count {
            let b = bytes[at]
            if b == UInt8(ascii: "\"") { at += 1; return String(decoding: out, as: UTF8.self) }
            if b == UInt8(ascii: "\\") {
                guard at + 1 < bytes.count else { break }
                let e = bytes[at + 1]
                at += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    guard at + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16) else {
                        throw error("invalid \\u escape")
                    }
                    at += 4
                    out += Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8)
                default: out.append(e)
                }
                continue
            }
            if b < 0x20 { throw error("control character in a string") }
            out.append(b)
            at += 1
        }
        throw error("unterminated string")
    }
}

/// A JSON document as parsed by `JSONParser`: small and only what model files need.
///
/// Numbers keep their text so that each format converts them the way its
/// library does (`Float(text)` for XGBoost thresholds, `Double(text)` elsewhere).
enum JSONValue {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A short name of the value's type for error messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Typed access to a JSON value at a path, throwing `ModelFormatError`s that name the path.
struct JSONCursor {
    let value: JSONValue
    let path: String
    let format: ModelFormat

    init(_ value: JSONValue, path: String, format: ModelFormat) {
        self.value = value
        self.path = path
        self.format = format
    }

    func fail(_ message: String) -> ModelFormatError {
        ModelFormatError(format, at: path.isEmpty ? "document" : path, message)
    }

    private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member `key` of an object; throws when missing.
    subscript(key: String) -> JSONCursor {
        get throws {
            guard case .object(let members) = value else { throw fail("expected an object, found \(value.typeName)") }
            guard let v = members[key] else { throw fail("missing key \"\(key)\"") }
            return JSONCursor(v, path: child(key), format: format)
        }
    }

    /// The member `key` of an object, or nil when absent or null.
    func optional(_ key: String) throws -> JSONCursor? {
        guard case .object(let members) = value else { throw fail("expected an object, found \(value.typeName)") }
        guard let v = members[key] else { return nil }
        if case .null = v { return nil }
        return JSONCursor(v, path: child(key), format: format)
    }

    /// The elements of an array.
    func array() throws -> [JSONCursor] {
        guard case .array(let items) = value else { throw fail("expected an array, found \(value.typeName)") }
        return items.enumerated().map { JSONCursor($1, path: "\(path)[\($0)]", format: format) }
    }

    func string() throws -> String {
        guard case .string(let s) = value else { throw fail("expected a string, found \(value.typeName)") }
        return s
    }

    private func numberText() throws -> String {
        guard case .number(let t) = value else { throw fail("expected a number, found \(value.typeName)") }
        return t
    }

    func double() throws -> Double {
        let t = try numberText()
        guard let d = Double(t) else { throw fail("cannot read \(t) as a number") }
        return d
    }

    func float() throws -> Float {
        let t = try numberText()
        guard let f = Float(t) else { throw fail("cannot read \(t) as a number") }
        return f
    }

    func int() throws -> Int {
        let t = try numberText()
        guard let i = Int(t) else { throw fail("expected an integer, found \(t)") }
        return i
    }

    /// An integer written as a JSON string, as XGBoost writes its parameters (`"num_class": "3"`).
    func intString() throws -> Int {
        let s = try string()
        guard let i = Int(s) else { throw fail("expected an integer in a string, found \"\(s)\"") }
        return i
    }

    /// An array of numbers as `Float`s (each parsed directly from its text).
    func floats() throws -> [Float] {
        guard case .array(let items) = value else { throw fail("expected an array of numbers, found \(value.typeName)") }
        var out = [Float](); out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .number(let t) = item, let f = Float(t) else {
                throw JSONCursor(item, path: "\(path)[\(i)]", format: format).fail("expected a number, found \(item.typeName)")
            }
            out.append(f)
        }
        return out
    }

    /// An array of numbers as `Double`s.
    func doubles() throws -> [Double] {
        guard case .array(let items) = value else { throw fail("expected an array of numbers, found \(value.typeName)") }
        var out = [Double](); out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .number(let t) = item, let d = Double(t) else {
                throw JSONCursor(item, path: "\(path)[\(i)]", format: format).fail("expected a number, found \(item.typeName)")
            }
            out.append(d)
        }
        return out
    }

    /// An array of integers.
    func ints() throws -> [Int] {
        guard case .array(let items) = value else { throw fail("expected an array of integers, found \(value.typeName)") }
        var out = [Int](); out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .number(let t) = item, let n = Int(t) else {
                throw JSONCursor(item, path: "\(path)[\(i)]", format: format).fail("expected an integer, found \(item.typeName)")
            }
            out.append(n)
        }
        return out
    }

    /// An array of flags written as 0/1 integers or as booleans.
    func flags() throws -> [Bool] {
        guard case .array(let items) = value else { throw fail("expected an array of 0/1 flags, found \(value.typeName)") }
        return try items.enumerated().map { i, item in
            switch item {
            case .bool(let b): return b
            case .number(let t) where t == "0" || t == "1": return t == "1"
            default: throw JSONCursor(item, path: "\(path)[\(i)]", format: format).fail("expected 0, 1, true or false, found \(item.typeName)")
            }
        }
    }

    /// An array of strings.
    func strings() throws -> [String] { try array().map { try $0.string() } }
}

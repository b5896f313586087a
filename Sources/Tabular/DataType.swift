/// The logical type of a column, shared by every file format and by the store.
///
/// Every value of every type may be null. Timestamps are UTC microseconds since
/// the Unix epoch. `float32Vector(n)` is a fixed-length embedding of `n` floats.
///
/// ```swift
/// DataType(parsing: "float32[8]")   // .float32Vector(8)
/// DataType.int64.description        // "int64"
/// ```
public enum DataType: Hashable, Sendable, CustomStringConvertible, Codable {
    case bool
    case int32
    case int64
    case float32
    case float64
    case string
    case bytes
    case timestamp
    case float32Vector(Int)

    /// Every scalar type name, in the order the documentation lists them.
    public static let scalarNames = ["bool", "int32", "int64", "float32", "float64", "string", "bytes", "timestamp"]

    /// Parses a type name as written in definitions files: `int64`, `float32[8]`, …
    /// Returns nil for anything else (including `float32[0]`).
    public init?(parsing text: String) {
        switch text {
        case "bool": self = .bool
        case "int32": self = .int32
        case "int64": self = .int64
        case "float32": self = .float32
        case "float64": self = .float64
        case "string": self = .string
        case "bytes": self = .bytes
        case "timestamp": self = .timestamp
        default:
            guard text.hasPrefix("float32["), text.hasSuffix("]") else { return nil }
            let digits = text.dropFirst("float32[".count).dropLast()
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int(digits), n > 0, n <= 65_536 else { return nil }
            self = .float32Vector(n)
        }
    }

    /// The type name as written in definitions files: `int64`, `float32[8]`, …
    public var description: String {
        switch self {
        case .bool: "bool"
        case .int32: "int32"
        case .int64: "int64"
        case .float32: "float32"
        case .float64: "float64"
        case .string: "string"
        case .bytes: "bytes"
        case .timestamp: "timestamp"
        case .float32Vector(let n): "float32[\(n)]"
        }
    }

    /// Width in bytes of one value in a fixed-width encoding, or nil for
    /// variable-length types (`string`, `bytes`).
    public var fixedWidth: Int? {
        switch self {
        case .bool: 1
        case .int32, .float32: 4
        case .int64, .float64, .timestamp: 8
        case .float32Vector(let n): 4 * n
        case .string, .bytes: nil
        }
    }

    /// True for the integer and floating-point scalar types.
    public var isNumeric: Bool {
        switch self {
        case .int32, .int64, .float32, .float64: true
        default: false
        }
    }

    /// Decodes a type from its name (see ``init(parsing:)``).
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let type = DataType(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown type '\(text)'"))
        }
        self = type
    }

    /// Encodes the type as its name.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

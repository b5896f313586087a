import NIOCore

/// A feature or join-key type on the wire: a tag byte, plus a `u32`
/// dimension for vectors (docs/wire-protocol.md, 1.1).
public enum WireType: Hashable, Sendable, CustomStringConvertible {
    case bool, int32, int64, float32, float64, string, bytes, timestamp
    /// `float32[N]`, 1 ≤ N ≤ 65 536.
    case float32Vector(Int)

    /// The largest vector dimension accepted.
    public static let maxDimension = 65_536

    /// The tag byte.
    public var tag: UInt8 {
        switch self {
        case .bool: 1
        case .int32: 2
        case .int64: 3
        case .float32: 4
        case .float64: 5
        case .string: 6
        case .bytes: 7
        case .timestamp: 8
        case .float32Vector: 9
        }
    }

    /// The name as in definitions files (`int64`, `float32[8]`).
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
}

/// One non-null value on the wire.
public enum WireValue: Hashable, Sendable {
    case bool(Bool)
    case int32(Int32)
    case int64(Int64)
    case float32(Float)
    case float64(Double)
    case string(String)
    case bytes([UInt8])
    /// UTC microseconds since the epoch.
    case timestamp(Int64)
    case vector([Float])

    /// The type this value is written as (a vector's dimension is its length).
    public var type: WireType {
        switch self {
        case .bool: .bool
        case .int32: .int32
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .string: .string
        case .bytes: .bytes
        case .timestamp: .timestamp
        case .vector(let v): .float32Vector(v.count)
        }
    }
}

/// The status of one cell of a GET_ONLINE reply (docs/wire-protocol.md, 1.2).
public enum WireStatus: UInt8, Hashable, Sendable, CaseIterable {
    case present = 0
    case nullValue = 1
    case notFound = 2
    case outsideMaxAge = 3

    /// Feast's name: `PRESENT`, `NULL_VALUE`, `NOT_FOUND`, `OUTSIDE_MAX_AGE`.
    public var name: String {
        switch self {
        case .present: "PRESENT"
        case .nullValue: "NULL_VALUE"
        case .notFound: "NOT_FOUND"
        case .outsideMaxAge: "OUTSIDE_MAX_AGE"
        }
    }
}

/// Scopes of tokens and connections, as levels: read < write < admin.
public enum WireScope: UInt8, Hashable, Sendable, Comparable, CaseIterable {
    case none = 0
    case read = 1
    case write = 2
    case admin = 3

    public static func < (a: WireScope, b: WireScope) -> Bool { a.rawValue < b.rawValue }

    /// `read`, `write`, `admin` or `none`.
    public var name: String {
        switch self {
        case .none: "none"
        case .read: "read"
        case .write: "write"
        case .admin: "admin"
        }
    }

    /// The scope an operation needs (HELLO and AUTH need none).
    public static func required(for opcode: Opcode) -> WireScope {
        switch opcode {
        case .hello, .auth: .none
        case .push: .write
        default: .read
        }
    }
}

/// One typed column of a ``RecordBatch``: contiguous values plus a validity mask.
///
/// Storage is columnar and flat, so hot loops read arrays, not per-row objects.
/// A null slot holds a zero value in `storage` and `false` in `validity`.
///
/// ```swift
/// var ages = Column(type: .float64)
/// ages.appendFloat64(31.5)
/// ages.appendNull()
/// ages.isNull(1)   // true
/// ```
public struct Column: Sendable, Equatable {
    /// The values, by physical representation.
    public enum Storage: Sendable, Equatable {
        case bool([Bool])
        case int32([Int32])
        /// `int64` and `timestamp` (UTC microseconds).
        case int64([Int64])
        case float32([Float])
        case float64([Double])
        /// `string` (UTF-8) and `bytes`: value `i` is `bytes[offsets[i]..<offsets[i+1]]`;
        /// `offsets` has `count + 1` entries and starts at 0.
        case binary(offsets: [Int], bytes: [UInt8])
        /// `float32[n]`: value `i` is `values[i*n ..< (i+1)*n]`.
        case vector(dimension: Int, values: [Float])
    }

    /// The logical type; decides which `Storage` case is used.
    public let type: DataType
    /// The values (null slots hold zero / empty).
    public var storage: Storage
    /// `validity[i]` is true when row `i` holds a value, false when it is null.
    public var validity: [Bool]

    /// Number of rows, null or not.
    public var count: Int { validity.count }

    /// An empty column of `type`, with room for `capacity` rows.
    public init(type: DataType, capacity: Int = 0) {
        self.type = type
        self.validity = []
        validity.reserveCapacity(capacity)
        switch type {
        case .bool: storage = .bool([])
        case .int32: storage = .int32([])
        case .int64, .timestamp: storage = .int64([])
        case .float32: storage = .float32([])
        case .float64: storage = .float64([])
        case .string, .bytes: storage = .binary(offsets: [0], bytes: [])
        case .float32Vector(let n): storage = .vector(dimension: n, values: [])
        }
        reserve(capacity)
    }

    /// A column from ready-made storage; `validity.count` must match the storage's row count.
    public init(type: DataType, storage: Storage, validity: [Bool]) {
        self.type = type
        self.storage = storage
        self.validity = validity
    }

    /// True when `row` is null.
    public func isNull(_ row: Int) -> Bool { !validity[row] }

    /// Reserves room for `capacity` rows in total.
    public mutating func reserve(_ capacity: Int) {
        guard capacity > 0 else { return }
        switch storage {
        case .bool(var a): storage = .bool([]); a.reserveCapacity(capacity); storage = .bool(a)
        case .int32(var a): storage = .bool([]); a.reserveCapacity(capacity); storage = .int32(a)
        case .int64(var a): storage = .bool([]); a.reserveCapacity(capacity); storage = .int64(a)
        case .float32(var a): storage = .bool([]); a.reserveCapacity(capacity); storage = .float32(a)
        case .float64(var a): storage = .bool([]); a.reserveCapacity(capacity); storage = .float64(a)
        case .binary(var o, let b): storage = .bool([]); o.reserveCapacity(capacity + 1); storage = .binary(offsets: o, bytes: b)
        case .vector(let n, var v): storage = .bool([]); v.reserveCapacity(capacity * n); storage = .vector(dimension: n, values: v)
        }
    }

    // MARK: Appending (the readers' path)

    /// Appends a null row (zero / empty in `storage`).
    public mutating func appendNull() {
        validity.append(false)
        switch storage {
        case .bool(var a): storage = .bool([]); a.append(false); storage = .bool(a)
        case .int32(var a): storage = .bool([]); a.append(0); storage = .int32(a)
        case .int64(var a): storage = .bool([]); a.append(0); storage = .int64(a)
        case .float32(var a): storage = .bool([]); a.append(0); storage = .float32(a)
        case .float64(var a): storage = .bool([]); a.append(0); storage = .float64(a)
        case .binary(var o, let b): storage = .bool([]); o.append(b.count); storage = .binary(offsets: o, bytes: b)
        case .vector(let n, var v):
            storage = .bool([]); v.append(contentsOf: repeatElement(0, count: n)); storage = .vector(dimension: n, values: v)
        }
    }

    /// Appends a `bool` value.
    public mutating func appendBool(_ x: Bool) {
        guard case .bool(var a) = storage else { preconditionFailure("appendBool on \(type)") }
        storage = .bool([]); a.append(x); storage = .bool(a); validity.append(true)
    }

    /// Appends an `int32` value.
    public mutating func appendInt32(_ x: Int32) {
        guard case .int32(var a) = storage else { preconditionFailure("appendInt32 on \(type)") }
        storage = .bool([]); a.append(x); storage = .int32(a); validity.append(true)
    }

    /// Appends an `int64` or a `timestamp` (UTC microseconds).
    public mutating func appendInt64(_ x: Int64) {
        guard case .int64(var a) = storage else { preconditionFailure("appendInt64 on \(type)") }
        storage = .bool([]); a.append(x); storage = .int64(a); validity.append(true)
    }

    /// Appends a `float32` value.
    public mutating func appendFloat32(_ x: Float) {
        guard case .float32(var a) = storage else { preconditionFailure("appendFloat32 on \(type)") }
        storage = .bool([]); a.append(x); storage = .float32(a); validity.append(true)
    }

    /// Appends a `float64` value.
    public mutating func appendFloat64(_ x: Double) {
        guard case .float64(var a) = storage else { preconditionFailure("appendFloat64 on \(type)") }
        storage = .bool([]); a.append(x); storage = .float64(a); validity.append(true)
    }

    /// Appends a `string` or `bytes` value from raw bytes.
    public mutating func appendBytes<C: Collection>(_ x: C) where C.Element == UInt8 {
        guard case .binary(var o, var b) = storage else { preconditionFailure("appendBytes on \(type)") }
        storage = .bool([]); b.append(contentsOf: x); o.append(b.count)
        storage = .binary(offsets: o, bytes: b); validity.append(true)
    }

    /// Appends a `string` value (its UTF-8 bytes).
    public mutating func appendString(_ x: String) { appendBytes(x.utf8) }

    /// Appends one `float32[n]` value; `x.count` must equal the dimension.
    public mutating func appendVector<C: Collection>(_ x: C) where C.Element == Float {
        guard case .vector(let n, var v) = storage else { preconditionFailure("appendVector on \(type)") }
        precondition(x.count == n, "vector of \(x.count) values in a float32[\(n)] column")
        storage = .bool([]); v.append(contentsOf: x); storage = .vector(dimension: n, values: v)
        validity.append(true)
    }

    /// Drops the last row (used by readers that discover a bad value mid-row).
    public mutating func removeLast() {
        validity.removeLast()
        switch storage {
        case .bool(var a): storage = .bool([]); a.removeLast(); storage = .bool(a)
        case .int32(var a): storage = .bool([]); a.removeLast(); storage = .int32(a)
        case .int64(var a): storage = .bool([]); a.removeLast(); storage = .int64(a)
        case .float32(var a): storage = .bool([]); a.removeLast(); storage = .float32(a)
        case .float64(var a): storage = .bool([]); a.removeLast(); storage = .float64(a)
        case .binary(var o, var b):
            storage = .bool([]); o.removeLast(); b.removeSubrange(o.last!...); storage = .binary(offsets: o, bytes: b)
        case .vector(let n, var v): storage = .bool([]); v.removeLast(n); storage = .vector(dimension: n, values: v)
        }
    }

    // MARK: Reading single values (tests, formatting; hot paths switch on `storage`)

    /// The `string`/`bytes` value at `row` as raw bytes (empty for null).
    public func bytes(at row: Int) -> ArraySlice<UInt8> {
        guard case .binary(let o, let b) = storage else { preconditionFailure("bytes(at:) on \(type)") }
        return b[o[row]..<o[row + 1]]
    }

    /// The `string` value at `row`, or nil when null.
    public func string(at row: Int) -> String? {
        validity[row] ? String(decoding: bytes(at: row), as: UTF8.self) : nil
    }

    /// Any value at `row` as a ``Value``; nil when null.
    public func value(at row: Int) -> Value? {
        guard validity[row] else { return nil }
        switch storage {
        case .bool(let a): return .bool(a[row])
        case .int32(let a): return .int32(a[row])
        case .int64(let a): return type == .timestamp ? .timestamp(a[row]) : .int64(a[row])
        case .float32(let a): return .float32(a[row])
        case .float64(let a): return .float64(a[row])
        case .binary:
            let b = Array(bytes(at: row))
            return type == .string ? .string(String(decoding: b, as: UTF8.self)) : .bytes(b)
        case .vector(let n, let v): return .vector(Array(v[row * n ..< (row + 1) * n]))
        }
    }
}

/// One non-null value, for APIs where convenience beats speed (tests, single
/// lookups, command-line values). Batches use ``Column``.
public enum Value: Hashable, Sendable, CustomStringConvertible {
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

    /// The value as text (timestamps in ISO-8601, bytes as their length).
    public var description: String {
        switch self {
        case .bool(let x): "\(x)"
        case .int32(let x): "\(x)"
        case .int64(let x): "\(x)"
        case .float32(let x): "\(x)"
        case .float64(let x): "\(x)"
        case .string(let x): x
        case .bytes(let x): "<\(x.count) bytes>"
        case .timestamp(let x): Timestamp.format(x)
        case .vector(let x): "[" + x.map { "\($0)" }.joined(separator: ",") + "]"
        }
    }
}

/// A named, typed column in a schema.
public struct Field: Hashable, Sendable, Codable {
    /// The column name, as in the file header or JSON key.
    public var name: String
    /// The column's logical type.
    public var type: DataType
    /// A field named `name` of type `type`.
    public init(_ name: String, _ type: DataType) { self.name = name; self.type = type }
}

/// Columns of equal length with names: the unit every reader yields and every
/// writer takes (thousands of rows at a time).
public struct RecordBatch: Sendable, Equatable {
    /// Names and types, one per column.
    public var fields: [Field]
    /// The columns, all of `rowCount` rows.
    public var columns: [Column]
    /// The 1-based source line (CSV, JSONL) or row (Parquet) of each row, for error messages.
    public var sourceLines: [Int]

    /// Rows a reader left out under ``InvalidRowPolicy/skip``, in file order.
    /// They are not counted in ``rowCount``.
    public var rejected: [RejectedRow]

    /// Rows in the batch (rejected rows not included).
    public var rowCount: Int { sourceLines.count }

    /// A batch; `fields` and `columns` must have the same count.
    public init(fields: [Field], columns: [Column], sourceLines: [Int], rejected: [RejectedRow] = []) {
        precondition(fields.count == columns.count)
        self.fields = fields
        self.columns = columns
        self.sourceLines = sourceLines
        self.rejected = rejected
    }

    /// The index of the column named `name`, if any.
    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
}

/// Why a single value did not parse; turned into a ``TabularError`` by the reader.
enum ValueIssue: Error {
    case invalid
    case outOfRange
    case invalidUTF8
    case invalidBase64
    case vectorLength(got: Int)
}

/// A column under construction: fixed-capacity raw storage written by row
/// index, so the readers' hot loops do no capacity checks, no copy-on-write
/// checks and no enum re-wrapping. ``column(rows:)`` copies out a ``Column``.
///
/// A builder owns its memory: call ``deallocate()`` exactly once.
struct ColumnBuilder {
    enum Kind: UInt8 { case bool, int32, int64, float32, float64, timestamp, string, bytes, vector }

    let type: DataType
    let kind: Kind
    /// Vector dimension (1 for scalars).
    let dimension: Int
    /// Rows this builder can hold.
    let capacity: Int
    let validity: UnsafeMutablePointer<Bool>
    /// `capacity * width` bytes of fixed-width values.
    let fixed: UnsafeMutableRawPointer
    /// `capacity + 1` offsets into `bytes` (binary kinds only).
    let offsets: UnsafeMutablePointer<Int>
    var bytes: UnsafeMutablePointer<UInt8>
    var byteCount = 0
    var byteCapacity: Int

    init(type: DataType, capacity: Int) {
        self.type = type
        self.capacity = capacity
        var dimension = 1
        let width: Int
        switch type {
        case .bool: kind = .bool; width = 1
        case .int32: kind = .int32; width = 4
        case .int64: kind = .int64; width = 8
        case .timestamp: kind = .timestamp; width = 8
        case .float32: kind = .float32; width = 4
        case .float64: kind = .float64; width = 8
        case .string: kind = .string; width = 0
        case .bytes: kind = .bytes; width = 0
        case .float32Vector(let n): kind = .vector; width = 4 * n; dimension = n
        }
        self.dimension = dimension
        validity = .allocate(capacity: capacity)
        fixed = .allocate(byteCount: max(width * capacity, 1), alignment: 8)
        let binary = kind == .string || kind == .bytes
        offsets = .allocate(capacity: binary ? capacity + 1 : 1)
        offsets[0] = 0
        byteCapacity = binary ? max(capacity * 16, 64) : 1
        bytes = .allocate(capacity: byteCapacity)
    }

    func deallocate() {
        validity.deallocate()
        fixed.deallocate()
        offsets.deallocate()
        bytes.deallocate()
    }

    var isBinary: Bool { kind == .string || kind == .bytes }

    /// Forgets all rows (keeps the memory).
    mutating func reset() { byteCount = 0; offsets[0] = 0 }

    /// Drops rows from `rows` on (after a bad value mid-row).
    mutating func truncate(rows: Int) { if isBinary { byteCount = offsets[rows] } }

    @inline(__always)
    func setNull(row: Int) {
        validity[row] = false
        switch kind {
        case .bool: fixed.storeBytes(of: false, toByteOffset: row, as: Bool.self)
        case .int32: fixed.storeBytes(of: 0, toByteOffset: row &* 4, as: Int32.self)
        case .int64, .timestamp: fixed.storeBytes(of: 0, toByteOffset: row &* 8, as: Int64.self)
        case .float32: fixed.storeBytes(of: 0, toByteOffset: row &* 4, as: Float.self)
        case .float64: fixed.storeBytes(of: 0, toByteOffset: row &* 8, as: Double.self)
        case .string, .bytes: offsets[row &+ 1] = byteCount
        case .vector:
            (fixed + row &* dimension &* 4).initializeMemory(as: Float.self, repeating: 0, count: dimension)
        }
    }

    @inline(__always) func setBool(_ v: Bool, row: Int) {
        fixed.storeBytes(of: v, toByteOffset: row, as: Bool.self); validity[row] = true
    }
    @inline(__always) func setInt32(_ v: Int32, row: Int) {
        fixed.storeBytes(of: v, toByteOffset: row &* 4, as: Int32.self); validity[row] = true
    }
    @inline(__always) func setInt64(_ v: Int64, row: Int) {
        fixed.storeBytes(of: v, toByteOffset: row &* 8, as: Int64.self); validity[row] = true
    }
    @inline(__always) func setFloat32(_ v: Float, row: Int) {
        fixed.storeBytes(of: v, toByteOffset: row &* 4, as: Float.self); validity[row] = true
    }
    @inline(__always) func setFloat64(_ v: Double, row: Int) {
        fixed.storeBytes(of: v, toByteOffset: row &* 8, as: Double.self); validity[row] = true
    }

    /// Makes room for `extra` more value bytes.
    @inline(__always)
    mutating func reserveBytes(_ extra: Int) {
        if byteCount &+ extra > byteCapacity { growBytes(byteCount + extra) }
    }

    private mutating func growBytes(_ needed: Int) {
        let newCapacity = max(needed, byteCapacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = grown
        byteCapacity = newCapacity
    }

    /// Appends a `string`/`bytes` value as row `row` (rows must come in order).
    @inline(__always)
    mutating func setBinary(_ p: UnsafePointer<UInt8>, _ n: Int, row: Int) {
        reserveBytes(n)
        (bytes + byteCount).update(from: p, count: n)
        byteCount &+= n
        offsets[row &+ 1] = byteCount
        validity[row] = true
    }

    /// Ends a binary value whose bytes were written at `bytes[byteCount...]` directly.
    @inline(__always)
    mutating func commitBinary(row: Int) {
        offsets[row &+ 1] = byteCount
        validity[row] = true
    }

    /// Copies the first `rows` rows out as a ``Column``.
    func column(rows: Int) -> Column {
        func array<T>(_: T.Type, _ count: Int) -> [T] {
            Array(UnsafeBufferPointer(start: fixed.assumingMemoryBound(to: T.self), count: count))
        }
        let storage: Column.Storage
        switch kind {
        case .bool: storage = .bool(array(Bool.self, rows))
        case .int32: storage = .int32(array(Int32.self, rows))
        case .int64, .timestamp: storage = .int64(array(Int64.self, rows))
        case .float32: storage = .float32(array(Float.self, rows))
        case .float64: storage = .float64(array(Double.self, rows))
        case .string, .bytes:
            storage = .binary(offsets: Array(UnsafeBufferPointer(start: offsets, count: rows + 1)),
                              bytes: Array(UnsafeBufferPointer(start: bytes, count: offsets[rows])))
        case .vector: storage = .vector(dimension: dimension, values: array(Float.self, rows * dimension))
        }
        return Column(type: type, storage: storage, validity: Array(UnsafeBufferPointer(start: validity, count: rows)))
    }
}

/// Something wrong inside a Parquet file, before the reader adds the file,
/// column and row group to make it a ``TabularError``.
struct ParquetIssue: Error {
    var message: String
    /// True when the file is fine but uses something this reader does not support.
    var unsupported = false
    init(_ message: String, unsupported: Bool = false) {
        self.message = message
        self.unsupported = unsupported
    }
}

/// Wire types of the Thrift compact protocol.
enum ThriftType: UInt8 {
    case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6,
         double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12
}

/// A bounds-checked reader of the Thrift compact protocol over a byte array.
///
/// No length read from the input is trusted: every size is checked against the
/// bytes that remain before anything is allocated, and nesting is limited so a
/// crafted input cannot exhaust the stack.
///
/// ```swift
/// var r = ThriftReader(bytes, from: 0, to: bytes.count)
/// try r.beginStruct()
/// while let (id, type) = try r.nextField() {
///     switch id { case 1: version = try r.i32(type); default: try r.skip(type) }
/// }
/// ```
struct ThriftReader {
    let data: [UInt8]
    private(set) var position: Int
    let end: Int
    private var lastFieldIds: [Int16] = []

    static let maxDepth = 32

    init(_ data: [UInt8], from start: Int, to end: Int) {
        self.data = data
        position = start
        self.end = min(end, data.count)
    }

    var remaining: Int { end - position }

    mutating func byte() throws(ParquetIssue) -> UInt8 {
        guard position < end else { throw ParquetIssue("metadata ends unexpectedly") }
        defer { position += 1 }
        return data[position]
    }

    mutating func varint() throws(ParquetIssue) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw ParquetIssue("metadata varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetIssue("metadata varint longer than 10 bytes") }
        }
    }

    mutating func zigzag() throws(ParquetIssue) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func beginStruct() throws(ParquetIssue) {
        guard lastFieldIds.count < Self.maxDepth else { throw ParquetIssue("metadata nested too deeply") }
        lastFieldIds.append(0)
    }

    /// The next field's id and type, or nil at the struct's end (which it consumes).
    mutating func nextField() throws(ParquetIssue) -> (Int16, ThriftType)? {
        let header = try byte()
        guard let type = ThriftType(rawValue: header & 0x0F) else {
            throw ParquetIssue("corrupt metadata: unknown Thrift type \(header & 0x0F)")
        }
        if type == .stop {
            lastFieldIds.removeLast()
            return nil
        }
        let delta = Int16(header >> 4)
        let id: Int16
        if delta != 0 {
            id = lastFieldIds[lastFieldIds.count - 1] &+ delta
        } else {
            let z = try zigzag()
            guard let v = Int16(exactly: z) else { throw ParquetIssue("corrupt metadata: field id \(z)") }
            id = v
        }
        lastFieldIds[lastFieldIds.count - 1] = id
        return (id, type)
    }

    private func expect(_ type: ThriftType, _ wanted: ThriftType...) throws(ParquetIssue) {
        guard wanted.contains(type) else {
            throw ParquetIssue("corrupt metadata: expected \(wanted[0]), found \(type)")
        }
    }

    mutating func bool(_ type: ThriftType) throws(ParquetIssue) -> Bool {
        try expect(type, .boolTrue, .boolFalse)
        return type == .boolTrue
    }

    mutating func i8(_ type: ThriftType) throws(ParquetIssue) -> Int8 {
        try expect(type, .byte)
        return Int8(bitPattern: try byte())
    }

    mutating func i32(_ type: ThriftType) throws(ParquetIssue) -> Int32 {
        try expect(type, .i32, .i16, .byte)
        if type == .byte { return Int32(Int8(bitPattern: try byte())) }
        let z = try zigzag()
        guard let v = Int32(exactly: z) else { throw ParquetIssue("corrupt metadata: \(z) is not an i32") }
        return v
    }

    mutating func i64(_ type: ThriftType) throws(ParquetIssue) -> Int64 {
        try expect(type, .i64, .i32, .i16)
        return try zigzag()
    }

    mutating func binary(_ type: ThriftType) throws(ParquetIssue) -> [UInt8] {
        try expect(type, .binary)
        let n = try varint()
        guard n <= UInt64(remaining) else { throw ParquetIssue("corrupt metadata: string of \(n) bytes past the end") }
        let start = position
        position += Int(n)
        return Array(data[start..<position])
    }

    mutating func string(_ type: ThriftType) throws(ParquetIssue) -> String {
        String(decoding: try binary(type), as: UTF8.self)
    }

    /// A list header: element count (checked against the remaining bytes) and type.
    mutating func listHeader(_ type: ThriftType) throws(ParquetIssue) -> (Int, ThriftType) {
        try expect(type, .list, .set)
        let header = try byte()
        var count = UInt64(header >> 4)
        if count == 15 { count = try varint() }
        guard let element = ThriftType(rawValue: header & 0x0F) else {
            throw ParquetIssue("corrupt metadata: unknown list element type")
        }
        // Every element takes at least one byte (booleans one each, an empty struct its stop).
        guard count <= UInt64(remaining) else {
            throw ParquetIssue("corrupt metadata: list of \(count) elements past the end")
        }
        return (Int(count), element)
    }

    /// A list of i32s (enums).
    mutating func i32List(_ type: ThriftType) throws(ParquetIssue) -> [Int32] {
        let (n, element) = try listHeader(type)
        var out: [Int32] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try i32(element)) }
        return out
    }

    mutating func stringList(_ type: ThriftType) throws(ParquetIssue) -> [String] {
        let (n, element) = try listHeader(type)
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try string(element)) }
        return out
    }

    /// Reads a list of structs, calling `element` once per element.
    mutating func structList<T>(_ type: ThriftType,
                                _ element: (inout ThriftReader) throws(ParquetIssue) -> T) throws(ParquetIssue) -> [T] {
        let (n, elementType) = try listHeader(type)
        try expect(elementType, .structure)
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }

    /// Skips a value of `type`, nested values included.
    mutating func skip(_ type: ThriftType, depth: Int = 0) throws(ParquetIssue) {
        guard depth + lastFieldIds.count < Self.maxDepth else { throw ParquetIssue("metadata nested too deeply") }
        switch type {
        case .stop: throw ParquetIssue("corrupt metadata: unexpected stop")
        case .boolTrue, .boolFalse: break
        case .byte: _ = try byte()
        case .i16, .i32, .i64: _ = try varint()
        case .double:
            guard remaining >= 8 else { throw ParquetIssue("metadata ends unexpectedly") }
            position += 8
        case .binary:
            let n = try varint()
            guard n <= UInt64(remaining) else { throw ParquetIssue("corrupt metadata: string past the end") }
            position += Int(n)
        case .list, .set:
            let (n, element) = try listHeader(type)
            for _ in 0..<n {
                if element == .boolTrue || element == .boolFalse { _ = try byte() } else { try skip(element, depth: depth + 1) }
            }
        case .map:
            let n = try varint()
            guard n <= UInt64(remaining) else { throw ParquetIssue("corrupt metadata: map past the end") }
            if n > 0 {
                let kinds = try byte()
                guard let k = ThriftType(rawValue: kinds >> 4), let v = ThriftType(rawValue: kinds & 0x0F) else {
                    throw ParquetIssue("corrupt metadata: unknown map types")
                }
                for _ in 0..<Int(n) {
                    for t in [k, v] {
                        if t == .boolTrue || t == .boolFalse { _ = try byte() } else { try skip(t, depth: depth + 1) }
                    }
                }
            }
        case .structure:
            try beginStruct()
            while let (_, t) = try nextField() { try skip(t, depth: depth + 1) }
        }
    }
}

/// A writer of the Thrift compact protocol into a byte array.
struct ThriftWriter {
    var bytes: [UInt8] = []
    private var lastFieldIds: [Int16] = [0]

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func fieldHeader(_ id: Int16, _ type: ThriftType) {
        let last = lastFieldIds[lastFieldIds.count - 1]
        let delta = id - last
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastFieldIds[lastFieldIds.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) { fieldHeader(id, .i32); zigzag(Int64(value)) }
    mutating func i64(_ id: Int16, _ value: Int64) { fieldHeader(id, .i64); zigzag(value) }
    mutating func i8(_ id: Int16, _ value: Int8) { fieldHeader(id, .byte); bytes.append(UInt8(bitPattern: value)) }
    mutating func bool(_ id: Int16, _ value: Bool) { fieldHeader(id, value ? .boolTrue : .boolFalse) }
    mutating func binary(_ id: Int16, _ value: [UInt8]) {
        fieldHeader(id, .binary)
        varint(UInt64(value.count))
        bytes += value
    }
    mutating func string(_ id: Int16, _ value: String) { binary(id, Array(value.utf8)) }

    /// Starts a struct-valued field (or, with `id` nil, a struct list element).
    mutating func beginStruct(_ id: Int16?) {
        if let id { fieldHeader(id, .structure) }
        lastFieldIds.append(0)
    }

    mutating func endStruct() {
        bytes.append(0)
        lastFieldIds.removeLast()
    }

    mutating func listHeader(_ id: Int16, _ count: Int, _ element: ThriftType) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | element.rawValue)
        } else {
            bytes.append(0xF0 | element.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func i32List(_ id: Int16, _ values: [Int32]) {
        listHeader(id, values.count, .i32)
        for v in values { zigzag(Int64(v)) }
    }

    mutating func stringList(_ id: Int16, _ values: [String]) {
        listHeader(id, values.count, .binary)
        for v in values {
            let b = Array(v.utf8)
            varint(UInt64(b.count))
            bytes += b
        }
    }
}

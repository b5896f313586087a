import NIOCore

/// Checked readers and the writers of the protocol's primitive encodings
/// (docs/wire-protocol.md, section 1). Every read checks what remains before
/// allocating and throws `MALFORMED` naming the field.
extension ByteBuffer {
    /// Reads a big-endian integer or throws `MALFORMED` naming `field`.
    @inlinable
    public mutating func readWire<T: FixedWidthInteger>(_ type: T.Type, _ field: String) throws -> T {
        guard let x = readInteger(as: T.self) else { throw WireError(.malformed, "truncated: \(field)") }
        return x
    }

    /// Reads a `count` (u32) and checks that at least `minBytesEach` bytes per
    /// element remain, so a lying count cannot make the reader allocate.
    public mutating func readWireCount(_ field: String, minBytesEach: Int) throws -> Int {
        let n = Int(try readWire(UInt32.self, field))
        guard n * max(minBytesEach, 0) <= readableBytes else {
            throw WireError(.malformed, "\(field): count \(n) is more than the payload holds")
        }
        return n
    }

    /// Reads a `str` (u16 length + UTF-8).
    public mutating func readWireString(_ field: String) throws -> String {
        let length = Int(try readWire(UInt16.self, field))
        return try readUTF8(length: length, field)
    }

    /// Reads a `str` into `text`, as ``readWireString(_:)`` does (the same
    /// errors), but leaves `text` as it is when it already has exactly those
    /// bytes: no allocation and no validation for a string a stream repeats.
    public mutating func readWireString(_ field: String, into text: inout String) throws {
        let length = Int(try readWire(UInt16.self, field))
        if let bytes = viewBytes(at: readerIndex, length: length), Self.sameBytes(text, bytes) {
            moveReaderIndex(forwardBy: length)
            return
        }
        text = try readUTF8(length: length, field)
    }

    /// Reads a `blob` of UTF-8 (u32 length + bytes).
    public mutating func readWireBlobString(_ field: String) throws -> String {
        let length = Int(try readWire(UInt32.self, field))
        return try readUTF8(length: length, field)
    }

    /// Reads a `blob` (u32 length + bytes).
    public mutating func readWireBlob(_ field: String) throws -> [UInt8] {
        let length = Int(try readWire(UInt32.self, field))
        guard let bytes = readBytes(length: length) else { throw WireError(.malformed, "truncated: \(field)") }
        return bytes
    }

    private mutating func readUTF8(length: Int, _ field: String) throws -> String {
        guard let bytes = viewBytes(at: readerIndex, length: length), let text = readString(length: length) else {
            throw WireError(.malformed, "truncated: \(field)")
        }
        // `readString` repairs invalid UTF-8 (each bad sequence becomes U+FFFD);
        // the text is valid exactly when it has the bytes it was read from.
        // (`String(validating:)` here ran the stdlib's unspecialized validator,
        // which looks up type metadata for every string.)
        guard Self.sameBytes(text, bytes) else { throw WireError(.malformed, "\(field): invalid UTF-8") }
        return text
    }

    /// Whether `text`'s UTF-8 is `bytes`, compared as contiguous memory (the
    /// generic `elementsEqual` of the two views steps through iterators).
    private static func sameBytes(_ text: String, _ bytes: ByteBufferView) -> Bool {
        let contiguous = text.utf8.withContiguousStorageIfAvailable { a in
            bytes.withContiguousStorageIfAvailable { b in a.elementsEqual(b) }
        }
        return contiguous.flatMap { $0 } ?? text.utf8.elementsEqual(bytes)
    }

    /// Writes a `str`; text over 65 535 UTF-8 bytes is a programming error.
    public mutating func writeWireString<S: StringProtocol>(_ s: S) {
        let n = s.utf8.count
        precondition(n <= Int(UInt16.max), "a wire str is at most 65535 bytes")
        writeInteger(UInt16(n))
        writeBytes(s.utf8)
    }

    /// Writes a `blob` of `bytes`.
    public mutating func writeWireBlob<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        writeInteger(UInt32(bytes.count))
        writeBytes(bytes)
    }

    /// Writes a count.
    @inlinable
    public mutating func writeWireCount(_ n: Int) { writeInteger(UInt32(n)) }

    // MARK: Types and values

    /// Reads a type descriptor.
    public mutating func readWireType(_ field: String) throws -> WireType {
        let tag = try readWire(UInt8.self, field)
        switch tag {
        case 1: return .bool
        case 2: return .int32
        case 3: return .int64
        case 4: return .float32
        case 5: return .float64
        case 6: return .string
        case 7: return .bytes
        case 8: return .timestamp
        case 9:
            let n = Int(try readWire(UInt32.self, field))
            guard n >= 1 && n <= WireType.maxDimension else {
                throw WireError(.malformed, "\(field): vector dimension \(n) is not in 1...\(WireType.maxDimension)")
            }
            return .float32Vector(n)
        default:
            throw WireError(.malformed, "\(field): unknown type tag \(tag)")
        }
    }

    /// Writes a type descriptor.
    public mutating func writeWireType(_ type: WireType) {
        writeInteger(type.tag)
        if case .float32Vector(let n) = type { writeInteger(UInt32(n)) }
    }

    /// Reads an untagged value of `type`.
    public mutating func readWireValue(_ type: WireType, _ field: String) throws -> WireValue {
        switch type {
        case .bool:
            let b = try readWire(UInt8.self, field)
            guard b <= 1 else { throw WireError(.malformed, "\(field): bool byte \(b) is not 0 or 1") }
            return .bool(b == 1)
        case .int32: return .int32(try readWire(Int32.self, field))
        case .int64: return .int64(try readWire(Int64.self, field))
        case .float32: return .float32(Float(bitPattern: try readWire(UInt32.self, field)))
        case .float64: return .float64(Double(bitPattern: try readWire(UInt64.self, field)))
        case .string: return .string(try readWireBlobString(field))
        case .bytes: return .bytes(try readWireBlob(field))
        case .timestamp: return .timestamp(try readWire(Int64.self, field))
        case .float32Vector(let n):
            guard readableBytes >= 4 * n else { throw WireError(.malformed, "truncated: \(field)") }
            var v = [Float](repeating: 0, count: n)
            for i in 0..<n { v[i] = Float(bitPattern: readInteger(as: UInt32.self)!) }
            return .vector(v)
        }
    }

    /// Writes `value` untagged. The caller guarantees it has the column's type.
    public mutating func writeWireValue(_ value: WireValue) {
        switch value {
        case .bool(let b): writeInteger(UInt8(b ? 1 : 0))
        case .int32(let x): writeInteger(x)
        case .int64(let x): writeInteger(x)
        case .float32(let x): writeInteger(x.bitPattern)
        case .float64(let x): writeInteger(x.bitPattern)
        case .string(let s): writeWireBlob(s.utf8)
        case .bytes(let b): writeWireBlob(b)
        case .timestamp(let t): writeInteger(t)
        case .vector(let v): for x in v { writeInteger(x.bitPattern) }
        }
    }

    /// Reads a tagged value (type descriptor + value).
    public mutating func readWireTaggedValue(_ field: String) throws -> WireValue {
        let type = try readWireType(field)
        let value = try readWireValue(type, field)
        return value
    }

    /// Writes a tagged value.
    public mutating func writeWireTaggedValue(_ value: WireValue) {
        writeWireType(value.type)
        writeWireValue(value)
    }
}

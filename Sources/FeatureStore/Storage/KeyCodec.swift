import Tabular

/// Order-preserving binary keys for the event log and the online table.
///
/// Layout (see docs/storage-format.md):
/// - entity key: each join key in declaration order — `int32`/`int64` as
///   big-endian with the sign bit flipped; `string`/`bytes` with `00` escaped
///   as `00 FF` and terminated by `00 01`. memcmp order = value order, and no
///   encoded key is a prefix of another.
/// - event key: `01 · tableId(4) · entity key · event_ts(8) · created_ts(8) ·
///   batch(8) · seq(4)`, timestamps sign-flipped big-endian, so a cursor walks
///   one entity's events oldest first and "latest" is the last one.
/// - online key: `01 · tableId(4) · entity key`.
public enum KeyCodec {
    /// The format byte that starts every event and online key.
    public static let formatVersion: UInt8 = 1
    /// Maximum encoded length of an entity key (LMDB keys are ≤ 511 bytes).
    public static let maxEntityKeyBytes = 400
    /// Bytes after the entity key in an event key: the event's order suffix.
    public static let orderSuffixBytes = 28

    @inline(__always)
    public static func appendInt64(_ x: Int64, to out: inout [UInt8]) {
        let u = UInt64(bitPattern: x) ^ (1 << 63)
        appendUInt64(u, to: &out)
    }

    @inline(__always)
    public static func appendUInt64(_ u: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: u.bigEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    public static func appendUInt32(_ u: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: u.bigEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    public static func appendInt32(_ x: Int32, to out: inout [UInt8]) {
        appendUInt32(UInt32(bitPattern: x) ^ (1 << 31), to: &out)
    }

    /// Appends `bytes` escaped and terminated (order-preserving, prefix-free).
    @inline(__always)
    public static func appendEscaped<C: Collection>(_ bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        for b in bytes {
            out.append(b)
            if b == 0 { out.append(0xFF) }
        }
        out.append(0)
        out.append(1)
    }

    /// Decodes one ``appendEscaped(_:to:)`` run starting at `i` and moves `i`
    /// past its terminator; nil when the bytes end early or are malformed.
    static func decodeEscaped(_ p: UnsafeRawBufferPointer, at i: inout Int) -> [UInt8]? {
        var raw: [UInt8] = []
        while true {
            guard i < p.count else { return nil }
            let b = p[i]; i += 1
            if b != 0 { raw.append(b); continue }
            guard i < p.count else { return nil }
            let next = p[i]; i += 1
            if next == 0xFF { raw.append(0) } else if next == 1 { return raw } else { return nil }
        }
    }

    /// The key prefix of every event or online row of a table.
    public static func tablePrefix(_ tableId: UInt32) -> [UInt8] {
        var out: [UInt8] = [formatVersion]
        appendUInt32(tableId, to: &out)
        return out
    }

    @inline(__always)
    public static func readUInt64(_ p: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(bigEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    public static func readInt64(_ p: UnsafeRawBufferPointer, at offset: Int) -> Int64 {
        Int64(bitPattern: readUInt64(p, at: offset) ^ (1 << 63))
    }

    @inline(__always)
    public static func readUInt32(_ p: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(bigEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Decodes an entity key back into values (for `check`, listings and tests).
    /// Returns nil when the bytes are not a valid encoding for `types`.
    public static func decodeEntityKey(_ p: UnsafeRawBufferPointer, types: [DataType]) -> (values: [Value], length: Int)? {
        var i = 0
        var values: [Value] = []
        for t in types {
            switch t {
            case .int64:
                guard i + 8 <= p.count else { return nil }
                values.append(.int64(readInt64(p, at: i))); i += 8
            case .int32:
                guard i + 4 <= p.count else { return nil }
                values.append(.int32(Int32(bitPattern: readUInt32(p, at: i) ^ (1 << 31)))); i += 4
            case .string, .bytes:
                guard let raw = decodeEscaped(p, at: &i) else { return nil }
                if t == .string {
                    guard let s = String(validating: raw, as: UTF8.self) else { return nil }
                    values.append(.string(s))
                } else {
                    values.append(.bytes(raw))
                }
            default:
                return nil
            }
        }
        return (values, i)
    }
}

/// The position of an event in "latest" order: event time, then created
/// time, then batch, then row number within the batch.
public struct EventOrder: Comparable, Hashable, Sendable {
    public var eventTimestamp: Int64
    public var createdTimestamp: Int64
    public var batchId: UInt64
    public var sequence: UInt32

    public init(eventTimestamp: Int64, createdTimestamp: Int64, batchId: UInt64, sequence: UInt32) {
        self.eventTimestamp = eventTimestamp; self.createdTimestamp = createdTimestamp
        self.batchId = batchId; self.sequence = sequence
    }

    public static func < (a: EventOrder, b: EventOrder) -> Bool {
        (a.eventTimestamp, a.createdTimestamp, a.batchId, a.sequence)
            < (b.eventTimestamp, b.createdTimestamp, b.batchId, b.sequence)
    }

    /// Appends the 28-byte order suffix used in event keys and online values.
    @inline(__always)
    public func append(to out: inout [UInt8]) {
        KeyCodec.appendInt64(eventTimestamp, to: &out)
        KeyCodec.appendInt64(createdTimestamp, to: &out)
        KeyCodec.appendUInt64(batchId, to: &out)
        KeyCodec.appendUInt32(sequence, to: &out)
    }

    /// Reads an order suffix at `offset`.
    @inline(__always)
    public init(_ p: UnsafeRawBufferPointer, at offset: Int) {
        eventTimestamp = KeyCodec.readInt64(p, at: offset)
        createdTimestamp = KeyCodec.readInt64(p, at: offset + 8)
        batchId = KeyCodec.readUInt64(p, at: offset + 16)
        sequence = KeyCodec.readUInt32(p, at: offset + 24)
    }
}

/// A reader of the protobuf wire format over a byte range: just enough to
/// decode ONNX files without generated code. Every read is bounds-checked and
/// a truncated or malformed message throws with the byte offset.
struct ProtobufReader {
    /// Wire types of the protobuf encoding.
    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    /// What is being read, for error messages (`ModelProto.graph.node[3]`).
    let context: String

    init(_ bytes: [UInt8], range: Range<Int>? = nil, context: String) {
        self.bytes = bytes
        self.position = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
        self.context = context
    }

    var isAtEnd: Bool { position >= end }

    func fail(_ message: String) -> ModelFormatError {
        ModelFormatError(.onnx, at: "\(context) (byte \(position))", message)
    }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws -> (number: Int, wire: WireType)? {
        guard position < end else { return nil }
        let key = try varint()
        guard let wire = WireType(rawValue: Int(key & 7)) else { throw fail("invalid wire type \(key & 7): not a protobuf message (corrupt or not ONNX?)") }
        let number = Int(key >> 3)
        guard number > 0 else { throw fail("field number 0: not a protobuf message (corrupt or not ONNX?)") }
        return (number, wire)
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw fail("the message ends inside a varint (truncated?)") }
            let b = bytes[position]
            position += 1
            if shift == 63 && b > 1 { throw fail("varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw fail("varint longer than 10 bytes") }
        }
    }

    mutating func int64() throws -> Int64 { Int64(bitPattern: try varint()) }

    mutating func fixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw fail("the message ends inside a 32-bit value (truncated?)") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    mutating func fixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw fail("the message ends inside a 64-bit value (truncated?)") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    /// The byte range of a length-delimited field, consumed.
    mutating func lengthDelimited() throws -> Range<Int> {
        let n = try varint()
        guard n <= UInt64(end - position) else {
            throw fail("a field of \(n) bytes runs past the end of its message (\(end - position) bytes left; truncated?)")
        }
        let r = position..<(position + Int(n))
        position += Int(n)
        return r
    }

    mutating func string() throws -> String {
        String(decoding: bytes[try lengthDelimited()], as: UTF8.self)
    }

    /// A reader for an embedded message.
    mutating func message(_ name: String) throws -> ProtobufReader {
        ProtobufReader(bytes, range: try lengthDelimited(), context: "\(context).\(name)")
    }

    mutating func skip(_ wire: WireType) throws {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try lengthDelimited()
        case .startGroup, .endGroup: throw fail("protobuf groups are not used by ONNX")
        }
    }

    /// A repeated float field, packed or not: appends to `out`.
    mutating func floats(_ wire: WireType, into out: inout [Float]) throws {
        if wire == .fixed32 { out.append(Float(bitPattern: try fixed32())); return }
        guard wire == .lengthDelimited else { throw fail("expected floats, found wire type \(wire)") }
        let r = try lengthDelimited()
        guard r.count % 4 == 0 else { throw fail("packed floats of \(r.count) bytes") }
        out.reserveCapacity(out.count + r.count / 4)
        var p = r.lowerBound
        while p < r.upperBound {
            let v = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
            out.append(Float(bitPattern: v))
            p += 4
        }
    }

    /// A repeated double field, packed or not.
    mutating func doubles(_ wire: WireType, into out: inout [Double]) throws {
        if wire == .fixed64 { out.append(Double(bitPattern: try fixed64())); return }
        guard wire == .lengthDelimited else { throw fail("expected doubles, found wire type \(wire)") }
        var sub = ProtobufReader(bytes, range: try lengthDelimited(), context: context)
        guard (sub.end - sub.position) % 8 == 0 else { throw fail("packed doubles of \(sub.end - sub.position) bytes") }
        while !sub.isAtEnd { out.append(Double(bitPattern: try sub.fixed64())) }
    }

    /// A repeated varint field (int32/int64), packed or not.
    mutating func int64s(_ wire: WireType, into out: inout [Int64]) throws {
        if wire == .varint { out.append(try int64()); return }
        guard wire == .lengthDelimited else { throw fail("expected integers, found wire type \(wire)") }
        var sub = ProtobufReader(bytes, range: try lengthDelimited(), context: context)
        while !sub.isAtEnd { out.append(try sub.int64()) }
    }
}

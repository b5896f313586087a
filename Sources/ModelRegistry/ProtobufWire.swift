/// A protobuf wire-format walker: enough to check that bytes are a
/// well-formed message and to read a few fields of an ONNX `ModelProto`.
/// Field values are slices of the input, not copies.
struct ProtobufMessage {
    /// One field occurrence.
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed32(UInt32)
    }

    /// Every field, in file order (repeated fields appear repeatedly).
    var fields: [(number: Int, value: Value)] = []

    /// Parses every field of a message; throws with the byte offset of the
    /// first problem (truncated field, unknown wire type, field number 0).
    init(_ bytes: ArraySlice<UInt8>) throws(ProtobufError) {
        var at = bytes.startIndex
        func varint() throws(ProtobufError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard at < bytes.endIndex else { throw ProtobufError(offset: at, "truncated varint") }
                let b = bytes[at]
                at += 1
                guard shift < 64 else { throw ProtobufError(offset: at, "varint longer than 10 bytes") }
                result |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }
        func fixed(_ n: Int) throws(ProtobufError) -> UInt64 {
            guard bytes.endIndex - at >= n else { throw ProtobufError(offset: at, "truncated \(n * 8)-bit field") }
            var x: UInt64 = 0
            for i in 0..<n { x |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
            at += n
            return x
        }
        while at < bytes.endIndex {
            let start = at
            let tag = try varint()
            let number = Int(tag >> 3)
            guard number > 0, number < 1 << 29 else { throw ProtobufError(offset: start, "invalid field number \(number)") }
            switch tag & 7 {
            case 0: fields.append((number, .varint(try varint())))
            case 1: fields.append((number, .fixed64(try fixed(8))))
            case 2:
                let n = try varint()
                guard n <= UInt64(bytes.endIndex - at) else {
                    throw ProtobufError(offset: start, "field \(number) says \(n) bytes, only \(bytes.endIndex - at) remain")
                }
                fields.append((number, .bytes(bytes[at..<at + Int(n)])))
                at += Int(n)
            case 5: fields.append((number, .fixed32(UInt32(try fixed(4)))))
            default:
                throw ProtobufError(offset: start, "field \(number) has wire type \(tag & 7), which is not in use")
            }
        }
    }

    /// The length-delimited values of field `number`.
    func bytes(_ number: Int) -> [ArraySlice<UInt8>] {
        fields.compactMap { if $0.number == number, case .bytes(let b) = $0.value { return b }; return nil }
    }

    /// The last varint value of field `number`.
    func varint(_ number: Int) -> UInt64? {
        fields.last { f in if f.number == number, case .varint = f.value { return true }; return false }
            .flatMap { if case .varint(let v) = $0.value { return v }; return nil }
    }

    /// Field `number` as UTF-8 text (the last occurrence).
    func string(_ number: Int) -> String? {
        bytes(number).last.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A malformed protobuf message: what and at which byte offset.
struct ProtobufError: Error, CustomStringConvertible {
    var offset: Int
    var message: String
    init(offset: Int, _ message: String) { self.offset = offset; self.message = message }
    var description: String { "byte \(offset): \(message)" }
}

/// Standard base64 (RFC 4648 §4: `A–Z a–z 0–9 + /`, `=` padding required).
///
/// ```swift
/// Base64.encode([0x66, 0x6F, 0x6F])          // "Zm9v"
/// Base64.decode(Array("Zm9v".utf8))          // [0x66, 0x6F, 0x6F]
/// ```
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    @inline(__always)
    static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - 65
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - 71
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c + 4
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    /// The encoded length of `count` bytes.
    public static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Encodes `bytes` as base64 text.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(encodedCount(bytes.count))
        encode(bytes) { out.append($0) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes `bytes`, handing each output character to `emit`.
    @inline(__always)
    static func encode<C: Collection>(_ bytes: C, _ emit: (UInt8) -> Void) where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        while let a = iterator.next() {
            let b = iterator.next()
            let c = iterator.next()
            emit(alphabet[Int(a >> 2)])
            emit(alphabet[Int((a & 3) << 4 | (b ?? 0) >> 4)])
            emit(b == nil ? UInt8(ascii: "=") : alphabet[Int((b! & 15) << 2 | (c ?? 0) >> 6)])
            emit(c == nil ? UInt8(ascii: "=") : alphabet[Int(c! & 63)])
        }
    }

    /// Decodes base64 text; nil when it is not valid padded base64.
    public static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        let input = Array(text)
        var out = [UInt8](repeating: 0, count: input.count / 4 * 3)
        let count = input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                decode(src.baseAddress, src.count, into: dst.baseAddress)
            }
        }
        guard let count else { return nil }
        out.removeLast(out.count - count)
        return out
    }

    /// Decodes `n` bytes at `p` into `out` (room for `n / 4 * 3` bytes);
    /// returns the decoded length, or nil when the text is invalid.
    static func decode(_ p: UnsafePointer<UInt8>?, _ n: Int, into out: UnsafeMutablePointer<UInt8>?) -> Int? {
        guard n % 4 == 0 else { return nil }
        guard n > 0, let p, let out else { return 0 }
        var o = 0
        var i = 0
        while i < n {
            let last = i + 4 == n
            guard let a = sextet(p[i]), let b = sextet(p[i + 1]) else { return nil }
            out[o] = a << 2 | b >> 4
            o += 1
            if last, p[i + 2] == UInt8(ascii: "=") {
                guard p[i + 3] == UInt8(ascii: "="), b & 15 == 0 else { return nil }
                return o
            }
            guard let c = sextet(p[i + 2]) else { return nil }
            out[o] = b << 4 | c >> 2
            o += 1
            if last, p[i + 3] == UInt8(ascii: "=") {
                guard c & 3 == 0 else { return nil }
                return o
            }
            guard let d = sextet(p[i + 3]) else { return nil }
            out[o] = c << 6 | d
            o += 1
            i += 4
        }
        return o
    }
}

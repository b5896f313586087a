import Crypto

/// SHA-256 of files, streamed in 1 MiB chunks, and the hex form hashes are
/// shown and stored in.
///
/// ```swift
/// FileHash.hex([0xab, 0x01])   // "ab01"
/// FileHash.unhex("ab01")       // [0xab, 0x01]
/// ```
public enum FileHash {
    /// Lowercase hex SHA-256 of the file at `path`.
    public static func sha256(_ path: String) throws -> String {
        var hasher = SHA256()
        try FileSystem.forEachChunk(path) { hasher.update(bufferPointer: $0) }
        return hex(Array(hasher.finalize()))
    }

    /// Lowercase hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a hex string (either case), or nil when it is not hex.
    public static func unhex(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var out: [UInt8] = []
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

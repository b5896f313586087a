/// Keys of the registry's databases (docs/storage-format.md, "Model registry").
/// Names cannot contain NUL, so `name 00` is a prefix no other model's keys
/// start with; numbers are big-endian so keys sort numerically.
enum RegistryKeys {
    /// `models`: the model's name.
    static func model(_ name: String) -> [UInt8] { Array(name.utf8) }

    /// `versions`, `aliases`, `alias_history`: every key of one model starts so.
    static func modelPrefix(_ name: String) -> [UInt8] { Array(name.utf8) + [0] }

    /// `versions`: `name 00 version(u32 BE)`.
    static func version(_ name: String, _ version: Int) -> [UInt8] {
        modelPrefix(name) + bigEndian(UInt64(version), bytes: 4)
    }

    /// `aliases`: `name 00 alias`.
    static func alias(_ name: String, _ alias: String) -> [UInt8] { modelPrefix(name) + Array(alias.utf8) }

    /// `alias_history`: `name 00 sequence(u64 BE)`.
    static func move(_ name: String, _ sequence: UInt64) -> [UInt8] {
        modelPrefix(name) + bigEndian(sequence, bytes: 8)
    }

    /// `artifacts`: `sha256(32 raw bytes) chunk(u32 BE)`.
    static func chunk(_ sha: [UInt8], _ index: Int) -> [UInt8] { sha + bigEndian(UInt64(index), bytes: 4) }

    /// `artifact_refs`: `sha256(32 raw bytes)`.
    static func artifact(_ sha: [UInt8]) -> [UInt8] { sha }

    static func bigEndian(_ x: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: x >> (8 * UInt64(bytes - 1 - $0))) }
    }
}

/// Lowercase hex for hashes.
enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
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

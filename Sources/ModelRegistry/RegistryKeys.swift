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

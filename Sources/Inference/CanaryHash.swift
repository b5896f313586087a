import Tabular

/// The entity-key hash that splits an alias's traffic between its primary
/// version and its canaries (SPEC 8), stable across runs, processes and
/// platforms (docs/inference.md):
///
/// 1. bytes = the model name in UTF-8, a 0 byte, then for each join key in
///    **name order**: the key's name, `=`, its value as text (integers in
///    decimal, strings as their UTF-8 bytes, bytes raw), a 0 byte;
/// 2. h = FNV-1a 64 of the bytes, then the splitmix64 finalizer;
/// 3. bucket = h mod 1,000,000.
///
/// Canary `i` (in the alias's order) takes the buckets
/// `[Σ_{j<i} p_j · 10⁴, Σ_{j≤i} p_j · 10⁴)` (percentages rounded to 10⁻⁴ %);
/// the primary version takes the rest.
///
/// ```swift
/// CanaryHash.bucket(model: "churn", keys: [("user_id", .int64(42))])   // 0..<1_000_000
/// ```
public enum CanaryHash {
    /// Number of buckets: a percentage has four decimals of resolution.
    public static let buckets: UInt64 = 1_000_000

    /// The bucket of an entity of `model` with join keys `keys` (any order; sorted by name here).
    public static func bucket(model: String, keys: [(name: String, value: Value)]) -> UInt64 {
        var h = FNV1a()
        h.add(model.utf8)
        h.add(0)
        for (name, value) in keys.sorted(by: { $0.name < $1.name }) {
            h.add(name.utf8)
            h.add(UInt8(ascii: "="))
            switch value {
            case .int32(let x): h.add(String(x).utf8)
            case .int64(let x): h.add(String(x).utf8)
            case .string(let s): h.add(s.utf8)
            case .bytes(let b): h.add(b)
            default: h.add(value.description.utf8)
            }
            h.add(0)
        }
        return finalize(h.state) % buckets
    }

    /// FNV-1a, 64 bits.
    struct FNV1a {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        mutating func add(_ byte: UInt8) {
            state ^= UInt64(byte)
            state &*= 0x0000_0100_0000_01b3
        }
        mutating func add<C: Sequence>(_ bytes: C) where C.Element == UInt8 {
            for b in bytes { add(b) }
        }
    }

    /// splitmix64's finalizer: spreads FNV's weak low bits over the word.
    static func finalize(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Bucket thresholds of canary percentages, cumulative, in `buckets` units.
    static func thresholds(_ percents: [Double]) -> [UInt64] {
        var total = 0.0
        return percents.map { p in
            total += p
            return UInt64((total * Double(buckets) / 100).rounded())
        }
    }
}

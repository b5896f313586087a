#if canImport(Glibc)
import Glibc
#endif

/// The DDSketch bucket index ⌈ln(x)·m⌉ of a positive finite x (m =
/// 1/ln γ), computed for normal x without calling `log`, and always equal to
/// the stored format's definition `Int((log(x) * m).rounded(.up))`.
///
/// x = 2^e · y with y ∈ [1, 2). The top 7 mantissa bits pick a centre
/// cᵢ = 1 + (i + ½)/128; with rᵢ = 1/cᵢ (rounded) and t = y·rᵢ − 1 (|t| ≤ 2⁻⁸),
///
///     ln x = e·ln 2 − ln rᵢ + ln(1 + t),  ln(1 + t) ≈ t − t²/2 + t³/3 − t⁴/4 + t⁵/5
///
/// (truncation ≤ |t|⁶/6 < 10⁻¹⁵; the table's ln rᵢ come from `log` itself).
/// The whole approximation is off by less than 10⁻¹² in ln x, and `log` by
/// at most 1 ulp (~10⁻¹³ at |ln x| ≤ 745), so their products with m differ by
/// less than m·2·10⁻¹² + the rounding of the product. When the approximate
/// index a is farther than ``margin(multiplier:)`` = max(1, m)·2·10⁻¹⁰ from
/// every integer — a ≈ 100× safety at α = 0.01, m ≈ 50 — both lie strictly
/// between the same two integers and ⌈a⌉ is the stored index; otherwise
/// (about 2·10⁻⁸ of values at α = 0.01), and for subnormals, the index is
/// computed with `log` as before. So the sketch's buckets, its stored bytes
/// and the α guarantee are unchanged, and old and new records merge exactly.
enum SketchIndex {
    /// `table[2i] = rᵢ`, `table[2i + 1] = −ln rᵢ`, i < 128.
    static let table: [Double] = (0..<128).flatMap { i -> [Double] in
        let r = 1 / (1 + (Double(i) + 0.5) / 128)
        return [r, -log(r)]
    }

    /// How close to an integer an approximate index may come before `log` decides.
    static func margin(multiplier: Double) -> Double { max(1, multiplier) * 2e-10 }

    /// The definition: `⌈log(x)·multiplier⌉` with the C library's `log`.
    @inline(never)
    static func exact(_ x: Double, multiplier: Double) -> Int {
        Int((log(x) * multiplier).rounded(.up))
    }

    /// ⌈ln(x)·multiplier⌉ for a finite x > 0; `table` is ``table``'s storage.
    @inline(__always)
    static func index(_ x: Double, multiplier: Double, margin: Double, table: UnsafeBufferPointer<Double>) -> Int {
        let bits = x.bitPattern
        let biased = Int(truncatingIfNeeded: bits &>> 52) & 0x7FF
        guard biased != 0 else { return exact(x, multiplier: multiplier) }
        let i = Int(truncatingIfNeeded: (bits &>> 44) & 0xFE)
        let y = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        let t = y * table[i] - 1
        let p = t * (1 + t * (-0.5 + t * (1.0 / 3 + t * (-0.25 + t * 0.2))))
        let a = (Double(biased - 1023) * 0.6931471805599453 + (table[i + 1] + p)) * multiplier
        // ⌈a⌉ from the truncation toward zero, without a libm call.
        let n = Int(a)
        let frac = a - Double(n)
        let distance = Swift.abs(frac)
        guard distance > margin && distance < 1 - margin else { return exact(x, multiplier: multiplier) }
        return frac > 0 ? n + 1 : n
    }
}

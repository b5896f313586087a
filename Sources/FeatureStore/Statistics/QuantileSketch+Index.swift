#if canImport(Glibc)
import Glibc
#endif

/// The DDSketch bucket index ⌈ln(x)·m⌉ of a positive finite x (m =
/// 1/ln γ), computed for normal x without calling `log`, and always equal to
/// the stored format's definition `Int((log(x) * m).rounded(.up))`.
///
/// x = 2^e · y with y ∈ [1, 2). The top 8 mantissa bits pick a centre
/// cᵢ = 1 + (i + ½)/256; with rᵢ = 1/cᵢ (rounded) and t = y·rᵢ − 1 (|t| ≤ 2⁻⁹),
///
///     ln x = e·ln 2 − ln rᵢ + ln(1 + t),  ln(1 + t) ≈ t − t²/2 + t³/3
///
/// (truncation ≤ t⁴/4 < 4·10⁻¹²; the table's ln rᵢ come from `log` itself).
/// With the roundings (≈ 10⁻¹³ at |ln x| ≤ 745) the approximation is off by
/// less than 5·10⁻¹² in ln x, and `log` by at most 1 ulp (~10⁻¹³), so the
/// approximate index a and the defining product log(x)·m differ by less than
/// m·5.2·10⁻¹² plus the product's rounding. When a is farther than
/// ``margin(multiplier:)`` = max(1, m)·2·10⁻¹⁰ from the nearest integer —
/// a 38× safety — both lie strictly between the same two integers and ⌈a⌉
/// is the stored index; otherwise (about 4·10⁻⁸ of values at α = 0.01,
/// m ≈ 50), for subnormals, and for |a| ≥ 2³⁰, the index is computed with
/// `log` as before. So the sketch's buckets, its stored bytes and the α
/// guarantee are unchanged, and old and new records merge exactly.
enum SketchIndex {
    /// `table[2i] = rᵢ`, `table[2i + 1] = −ln rᵢ`, i < 256.
    static let table: [Double] = (0..<256).flatMap { i -> [Double] in
        let r = 1 / (1 + (Double(i) + 0.5) / 256)
        return [r, -log(r)]
    }

    /// How close to an integer an approximate index may come before `log` decides.
    static func margin(multiplier: Double) -> Double { max(1, multiplier) * 2e-10 }

    /// The definition: `⌈log(x)·multiplier⌉` with the C library's `log`.
    @inline(never)
    static func exact(_ x: Double, multiplier: Double) -> Int {
        Int((log(x) * multiplier).rounded(.up))
    }

    /// 1.5·2⁵²: adding it rounds a double of magnitude < 2³¹ to an integer,
    /// which its low 32 bits then hold.
    static let roundingShift = 6_755_399_441_055_744.0

    /// ⌈ln(x)·multiplier⌉ for a finite x > 0; `table` is ``table``'s storage.
    @inline(__always)
    static func index(_ x: Double, multiplier: Double, margin: Double, table: UnsafeBufferPointer<Double>) -> Int {
        let bits = x.bitPattern
        let biased = Int(truncatingIfNeeded: bits &>> 52) & 0x7FF
        let i = Int(truncatingIfNeeded: (bits &>> 43) & 0x1FE)
        let y = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        let t = y * table[i] - 1
        let p = t * (1 + t * (-0.5 + t * (1.0 / 3)))
        let a = (Double(biased &- 1023) * 0.6931471805599453 + (table[i &+ 1] + p)) * multiplier
        // The nearest integer n and a − n, without a libm call or a trapping conversion.
        let shifted = a + roundingShift
        let n = Int(Int32(truncatingIfNeeded: shifted.bitPattern))
        let d = a - (shifted - roundingShift)
        guard biased != 0 && Swift.abs(d) > margin && Swift.abs(a) < 1_073_741_824 else {
            return exact(x, multiplier: multiplier)
        }
        // ⌈a⌉ = n + 1 when d > 0, n when d < 0 (d ≠ 0 here): from d's sign bit, without a branch.
        return n &+ 1 &- Int(truncatingIfNeeded: d.bitPattern &>> 63)
    }
}

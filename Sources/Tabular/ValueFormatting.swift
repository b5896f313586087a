/// Text forms of values shared by the writers (SPEC 7): the exact inverse of
/// the readers' parsing.
///
/// Floats are Swift's shortest round-trip form (`0.1`, `3.0`, `1e-05`,
/// `1.5e+300`), which `strtod`/`strtof` read back to the same bits; NaN is
/// written `NaN` (any sign or payload), infinities `inf` and `-inf`, as
/// pandas writes them. Negative zero stays `-0.0`.
public enum ValueFormatting {
    /// The shortest text that reads back as exactly `v`.
    public static func text(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return v.description
    }

    /// The shortest text that reads back (as float32) as exactly `v`.
    public static func text(_ v: Float) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return v.description
    }

    /// Writes the decimal digits of `v` at `out` (room for 20 bytes); returns the count.
    @inline(__always)
    static func writeInteger(_ v: Int64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = v.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        return withUnsafeMutableBytes(of: &digits) { raw in
            var k = 24
            repeat {
                k -= 1
                raw[k] = UInt8(truncatingIfNeeded: 48 &+ magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            var o = 0
            if v < 0 { out[0] = UInt8(ascii: "-"); o = 1 }
            for j in k..<24 { out[o] = raw[j]; o += 1 }
            return o
        }
    }
}

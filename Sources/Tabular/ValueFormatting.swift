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

    /// Writes ``text(_:)-(Double)`` of `v` at `out` (room for 32 bytes) without
    /// making a String; returns the count. Same bytes as `text`: finite values go
    /// through the runtime's `swift_float64ToString`, which is what
    /// `Double.description` calls (an ABI entry point of the standard library).
    @inline(__always)
    static func write(_ v: Double, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if v.isFinite {
            let short = writeShortDecimal(v, out)
            if short > 0 { return short }
            zeroDigits(out)
            return Int(truncatingIfNeeded: swiftFloat64ToString(out, 32, v, false))
        }
        return writeNonFinite(v.isNaN, v < 0, out)
    }

    /// Writes ``text(_:)-(Float)`` of `v` at `out` (room for 32 bytes); returns the count.
    @inline(__always)
    static func write(_ v: Float, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if v.isFinite {
            zeroDigits(out)
            return Int(truncatingIfNeeded: swiftFloat32ToString(out, 32, v, false))
        }
        return writeNonFinite(v.isNaN, v < 0, out)
    }

    /// 10ᵏ for −3 ≤ k ≤ 17 (exact for k ≥ 0). A switch of constants, which
    /// the compiler turns into a table in read-only data: a lazily made table
    /// cost a `swift_once` call per value.
    @inline(__always)
    private static func tenTo(_ k: Int) -> Double {
        switch k {
        case -3: return 1e-3
        case -2: return 1e-2
        case -1: return 1e-1
        case 0: return 1
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        default: return 1e17
        }
    }

    /// The fast path of ``write(_:_:)-(Double)``: values of at most 15
    /// significant decimal digits with 10⁻³ ≤ |v| < 10¹⁵ (sensor readings,
    /// prices, rounded statistics: most data), written as the standard
    /// library writes them, in less time. Returns 0 (nothing written) for any
    /// other value. The text is at most 20 bytes; the stores reach 21 bytes
    /// (the caller's buffer has 32).
    ///
    /// The digits come out of n eight at a time, split in the lanes of one
    /// register (`eightDigits`), and the point goes in with one 16-byte store
    /// of the digits shifted around it: no loop over bytes.
    ///
    /// Why the bytes are the same: with k chosen so that s = |v|·10ᵏ is in
    /// [10¹⁴, 10¹⁵), n = round(s) is the only 15-digit candidate, and
    /// `Double(n) / 10ᵏ == |v|` (a correctly rounded division of two exact
    /// doubles: what parsing the decimal n·10⁻ᵏ gives) says whether it reads
    /// back as v. Two decimals of at most 15 significant digits never read
    /// back as the same double (10¹⁵ < 2⁵³), so the shortest round-trip
    /// decimal, which has no more digits than this one, is this one with its
    /// trailing zeros dropped; in this range the standard library writes it
    /// without an exponent, with at least one fractional digit (`3.0`).
    /// `FloatFormattingTests` compares the two on a few hundred thousand
    /// values.
    @inline(__always)
    static func writeShortDecimal(_ v: Double, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        let a = v.magnitude
        guard a >= 1e-3, a < 1e15 else { return 0 }
        // floor(log10 a), from the binary exponent (one low at most), then exact.
        var e10 = ((Int(truncatingIfNeeded: a.bitPattern >> 52) &- 1023) &* 78913) >> 18
        if a >= tenTo(e10 &+ 1) { e10 &+= 1 }
        let k = 14 &- e10                       // 0 ≤ k ≤ 17
        let p = tenTo(k)
        let scaled = a * p                      // in [10¹⁴, 10¹⁵], up to rounding
        let n = UInt64(scaled + 0.5)
        guard n >= 100_000_000_000_000, n < 1_000_000_000_000_000 else { return 0 }
        // n·10⁻ᵏ reads back as a: parsing it is this correctly rounded division.
        guard Double(n) / p == a else { return 0 }
        // The 15 digits as 16 ASCII bytes (a leading "0"), first digit first.
        let raw = UInt128(eightDigits(n % 100_000_000)) << 64 | UInt128(eightDigits(n / 100_000_000))
        let digits = raw &+ 0x3030_3030_3030_3030_3030_3030_3030_3030
        let significant = 15 - raw.leadingZeroBitCount >> 3      // digits up to the last non-zero one
        let target = UnsafeMutableRawPointer(out)
        var o = 0
        if v < 0 { out[0] = 45; o = 1 }
        let intDigits = 15 - k
        if intDigits > 0 {
            // The integer digits one byte down, the point, the fraction in place.
            let below: UInt128 = (1 << (intDigits &* 8)) &- 1
            let text = ((digits >> 8) & below) | (digits & ~(below << 8 | below)) | (0x2E << (intDigits &* 8))
            target.storeBytes(of: text, toByteOffset: o, as: UInt128.self)
            out[o + 16] = 48        // the `0` of `….0` when all 15 digits are integer ones (k = 0)
            return o + intDigits + 1 + max(significant - intDigits, 1)
        }
        // "0." and 0–2 zeros, then the digits.
        target.storeBytes(of: 0x3030_3030_3030_2E30 as UInt64, toByteOffset: o, as: UInt64.self)
        target.storeBytes(of: digits >> 8, toByteOffset: o + 2 - intDigits, as: UInt128.self)
        return o + 2 - intDigits + significant
    }

    /// The eight decimal digits of `x` (< 10⁸) as byte values 0–9, the first
    /// digit in the lowest byte: the halves, quarters and eighths are split in
    /// lanes of one register (each quotient by a multiply and shift, exact in
    /// these ranges).
    @inline(__always)
    private static func eightDigits(_ x: UInt64) -> UInt64 {
        var v = x / 10_000 | (x % 10_000) << 32
        let hundreds = (v &* 10_486) >> 20 & 0x0000_007F_0000_007F
        v = hundreds | (v &- hundreds &* 100) << 16
        let tens = (v &* 103) >> 10 & 0x000F_000F_000F_000F
        return tens | (v &- tens &* 10) << 8
    }

    /// Fills the 32 bytes with ASCII "0": this toolchain's runtime entry point
    /// does not write the final digit of `3.0` (its caller in the standard
    /// library hands it a buffer of "0"s; newer runtimes fill it themselves).
    @inline(__always)
    private static func zeroDigits(_ out: UnsafeMutablePointer<UInt8>) {
        let raw = UnsafeMutableRawPointer(out)
        let zeros: UInt64 = 0x3030_3030_3030_3030
        raw.storeBytes(of: zeros, toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: zeros, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: zeros, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: zeros, toByteOffset: 24, as: UInt64.self)
    }

    private static func writeNonFinite(_ nan: Bool, _ negative: Bool, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if nan { out[0] = 78; out[1] = 97; out[2] = 78; return 3 }          // NaN
        var o = 0
        if negative { out[0] = 45; o = 1 }                                  // -
        out[o] = 105; out[o + 1] = 110; out[o + 2] = 102                    // inf
        return o + 3
    }

    /// Writes the decimal digits of `v` at `out` (room for 20 bytes); returns the count.
    ///
    /// Eight digits at a time in the lanes of one register (`eightDigits`),
    /// stored with 8-byte stores (bytes past the count are scratch: the
    /// stores stay within the 20 bytes); `IntegerFormattingTests` compares
    /// it with `String(v)`.
    @inline(__always)
    static func writeInteger(_ v: Int64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        let target = UnsafeMutableRawPointer(out)
        var o = 0
        if v < 0 { out[0] = 45; o = 1 }
        let m = v.magnitude
        if m < 100_000_000 { return o + writeLeading(m, target + o) }
        if m < 10_000_000_000_000_000 {
            o += writeLeading(m / 100_000_000, target + o)
            target.storeBytes(of: eightDigits(m % 100_000_000) &+ 0x3030_3030_3030_3030, toByteOffset: o, as: UInt64.self)
            return o + 8
        }
        let low = m % 100_000_000, rest = m / 100_000_000
        o += writeLeading(rest / 100_000_000, target + o)     // at most 3 digits (|v| ≤ 2⁶³)
        target.storeBytes(of: eightDigits(rest % 100_000_000) &+ 0x3030_3030_3030_3030, toByteOffset: o, as: UInt64.self)
        target.storeBytes(of: eightDigits(low) &+ 0x3030_3030_3030_3030, toByteOffset: o + 8, as: UInt64.self)
        return o + 16
    }

    /// Writes `x` (< 10⁸) without leading zeros ("0" for 0) with one 8-byte
    /// store at `out`; returns the count of digits.
    @inline(__always)
    private static func writeLeading(_ x: UInt64, _ out: UnsafeMutableRawPointer) -> Int {
        let digits = eightDigits(x)
        // Leading zero digits are the low zero bytes (the first digit is the lowest byte).
        let zeros = min(digits.trailingZeroBitCount >> 3, 7)
        out.storeBytes(of: (digits >> (zeros &* 8)) &+ 0x3030_3030_3030_3030, as: UInt64.self)
        return 8 &- zeros
    }
}

// The standard library's shortest round-trip formatters behind
// `Double.description` / `Float.description`, writing into a caller's buffer
// (legacy ABI entry points of libswiftCore; the result is the text's length).
@_silgen_name("swift_float64ToString")
private func swiftFloat64ToString(_ buffer: UnsafeMutablePointer<UInt8>, _ bufferLength: UInt,
                                  _ value: Double, _ debug: Bool) -> UInt64

@_silgen_name("swift_float32ToString")
private func swiftFloat32ToString(_ buffer: UnsafeMutablePointer<UInt8>, _ bufferLength: UInt,
                                  _ value: Float, _ debug: Bool) -> UInt64

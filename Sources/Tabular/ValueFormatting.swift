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

    /// 10ᵏ for 0 ≤ k < 32, exact for k ≤ 22 (every power used here): a
    /// product of the powers for k's bits, each partial product exact.
    @inline(__always)
    private static func powerOfTen(_ k: Int) -> Double {
        let a: Double = k & 1 != 0 ? 10 : 1, b: Double = k & 2 != 0 ? 100 : 1
        let c: Double = k & 4 != 0 ? 1e4 : 1, d: Double = k & 8 != 0 ? 1e8 : 1
        let e: Double = k & 16 != 0 ? 1e16 : 1
        return (a * b) * (c * d) * e
    }

    /// "00" … "99", for writing two digits at a time.
    private static let digitPairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// The fast path of ``write(_:_:)-(Double)``: values of at most 15
    /// significant decimal digits with 10⁻³ ≤ |v| < 10¹⁵ (sensor readings,
    /// prices, rounded statistics: most data), written as the standard
    /// library writes them, in less time (33 against 40 ns a value, measured
    /// on columns of 4–6 decimals). Returns 0 (nothing written) for any other
    /// value. Writes at most 20 bytes.
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
        var k = 14 - ((Int(truncatingIfNeeded: a.bitPattern >> 52) &- 1023) &* 78913) >> 18
        var p = powerOfTen(k)
        var scaled = a * p
        if scaled >= 1e15 {
            k -= 1
            p = powerOfTen(k)
            scaled = a * p
        }
        let n = UInt64(scaled + 0.5)
        guard k >= 0, n >= 100_000_000_000_000, n < 1_000_000_000_000_000, Double(n) / p == a else { return 0 }
        // n has 15 digits; the decimal is n·10⁻ᵏ with 15 − k integer digits.
        var o = 0
        if v < 0 { out[0] = 45; o = 1 }
        let intDigits = 15 - k
        if intDigits > 0 {
            // The digits one byte right, then the integer ones back left of the point.
            writeFifteenDigits(n, out + o + 1)
            for i in 0..<intDigits { out[o + i] = out[o + i + 1] }
            out[o + intDigits] = 46
            if k == 0 { out[o + 16] = 48; return o + 17 }     // `….0`
            // Drop trailing zeros, keeping one fractional digit.
            var end = o + 16
            while end > o + intDigits + 2 && out[end - 1] == 48 { end -= 1 }
            return end
        }
        out[o] = 48; out[o + 1] = 46
        o += 2
        for _ in 0..<(-intDigits) { out[o] = 48; o += 1 }
        writeFifteenDigits(n, out + o)
        var end = o + 15
        while out[end - 1] == 48 { end -= 1 }     // stops at n's first digit (not 0)
        return end
    }

    /// Writes the 15 decimal digits of `n` (10¹⁴ ≤ n < 10¹⁵) at `q`, two at a
    /// time, the high and low halves independently.
    @inline(__always)
    private static func writeFifteenDigits(_ n: UInt64, _ q: UnsafeMutablePointer<UInt8>) {
        let table = digitPairs.utf8Start
        var high = n / 100_000_000          // 7 digits
        var low = n - high * 100_000_000    // 8 digits
        var at = 15
        for _ in 0..<4 {
            let lp = Int(truncatingIfNeeded: low % 100) &* 2
            low /= 100
            q[at - 1] = table[lp + 1]; q[at - 2] = table[lp]
            at -= 2
        }
        for _ in 0..<3 {
            let hp = Int(truncatingIfNeeded: high % 100) &* 2
            high /= 100
            q[at - 1] = table[hp + 1]; q[at - 2] = table[hp]
            at -= 2
        }
        q[0] = UInt8(truncatingIfNeeded: 48 &+ high)
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

// The standard library's shortest round-trip formatters behind
// `Double.description` / `Float.description`, writing into a caller's buffer
// (legacy ABI entry points of libswiftCore; the result is the text's length).
@_silgen_name("swift_float64ToString")
private func swiftFloat64ToString(_ buffer: UnsafeMutablePointer<UInt8>, _ bufferLength: UInt,
                                  _ value: Double, _ debug: Bool) -> UInt64

@_silgen_name("swift_float32ToString")
private func swiftFloat32ToString(_ buffer: UnsafeMutablePointer<UInt8>, _ bufferLength: UInt,
                                  _ value: Float, _ debug: Bool) -> UInt64

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strict number parsing from raw bytes, without creating Strings.
///
/// Floats: `[+-](digits[.digits]|.digits)[(e|E)[+-]digits]`, or `nan`,
/// `inf`, `infinity` in any case with an optional sign. Three exact paths,
/// fastest first: Clinger's (mantissa ≤ 2^53 and |exponent| ≤ 22 for
/// doubles; ≤ 2^24 and ≤ 10 for floats: one exact multiply or divide),
/// ``EiselLemire`` (up to 19 significant digits), and the C library's
/// `strtod`/`strtof` in the "C" locale for the rest (more digits,
/// subnormals, near-ties). Every result is correctly rounded.
enum NumberParsing {
    /// A scanned decimal: value = mantissa × 10^exponent (when `exact`).
    struct Decimal {
        var negative = false
        var mantissa: UInt64 = 0
        var exponent = 0
        /// False when nonzero digits beyond the 19th were dropped.
        var exact = true
        /// 1 = NaN, 2 = infinity, 0 = a number.
        var special: UInt8 = 0
    }

    /// The "C" numeric locale, so `strtod` reads `.` whatever `setlocale` did.
    nonisolated(unsafe) static let cLocale: locale_t? = newlocale(1 << LC_NUMERIC, "C", nil)

    @usableFromInline static let powersOf10: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
    static let powersOf10f: [Float] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]

    /// Scans a float's syntax; nil when it is not one.
    @inline(__always)
    static func scan(_ p: UnsafePointer<UInt8>, _ n: Int) -> Decimal? {
        var d = Decimal()
        var i = 0
        if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
            d.negative = p[i] == UInt8(ascii: "-")
            i += 1
        }
        var sawDigit = false
        var significant = 0
        while i < n {
            if d.mantissa != 0, significant <= 11, i + 8 <= n, let eight = eightDigits(p + i) {
                d.mantissa = d.mantissa &* 100_000_000 &+ eight
                significant += 8
                i += 8
                continue
            }
            let digit = p[i] &- 48
            guard digit < 10 else { break }
            sawDigit = true
            if significant < 19 {
                if d.mantissa != 0 || digit != 0 {
                    d.mantissa = d.mantissa &* 10 &+ UInt64(digit)
                    significant += 1
                }
            } else {
                d.exponent += 1
                if digit != 0 { d.exact = false }
            }
            i += 1
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n {
                if d.mantissa != 0, significant <= 11, i + 8 <= n, let eight = eightDigits(p + i) {
                    d.mantissa = d.mantissa &* 100_000_000 &+ eight
                    significant += 8
                    d.exponent -= 8
                    i += 8
                    continue
                }
                let digit = p[i] &- 48
                guard digit < 10 else { break }
                sawDigit = true
                if significant < 19 {
                    if d.mantissa != 0 || digit != 0 {
                        d.mantissa = d.mantissa &* 10 &+ UInt64(digit)
                        significant += 1
                    }
                    d.exponent -= 1
                } else if digit != 0 {
                    d.exact = false
                }
                i += 1
            }
        }
        guard sawDigit else { return scanSpecial(p + i, n - i, d) }
        if i < n, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var negativeExponent = false
            if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
                negativeExponent = p[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var sawExponentDigit = false
            while i < n {
                let digit = p[i] &- 48
                guard digit < 10 else { break }
                sawExponentDigit = true
                if e < 100_000 { e = e * 10 + Int(digit) }
                i += 1
            }
            guard sawExponentDigit else { return nil }
            d.exponent += negativeExponent ? -e : e
        }
        return i == n ? d : nil
    }

    /// The value of 8 ASCII digits at `p`, or nil when they are not all digits (SWAR).
    @inline(__always)
    static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let v = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        // Every byte in 0x30...0x39: high nibble 3, and adding 6 keeps it 3.
        guard v & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030,
              (v &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030 else { return nil }
        var x = v & 0x0F0F_0F0F_0F0F_0F0F
        x = (x &* 10 &+ (x >> 8)) & 0x00FF_00FF_00FF_00FF
        x = (x &* 100 &+ (x >> 16)) & 0x0000_FFFF_0000_FFFF
        return (x &* 10000 &+ (x >> 32)) & 0xFFFF_FFFF
    }

    private static func scanSpecial(_ p: UnsafePointer<UInt8>, _ n: Int, _ sign: Decimal) -> Decimal? {
        var d = sign
        func matches(_ word: StaticString) -> Bool {
            guard n == word.utf8CodeUnitCount else { return false }
            let w = word.utf8Start
            for k in 0..<n where p[k] | 0x20 != w[k] { return false }
            return true
        }
        if matches("nan") { d.special = 1; return d }
        if matches("inf") || matches("infinity") { d.special = 2; return d }
        return nil
    }

    /// Parses a float64; nil when the text is not a number.
    @inline(__always)
    static func double(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard let d = scan(p, n) else { return nil }
        if d.special != 0 {
            let v: Double = d.special == 1 ? .nan : .infinity
            return d.negative ? -v : v
        }
        // A multiply is cheap; a divide stalls longer than Eisel-Lemire's two
        // multiplies, so negative exponents try Eisel-Lemire first (it
        // declines exact values such as 2.5, which the divide then settles).
        if d.exact, d.mantissa <= 1 << 53, d.exponent >= 0, d.exponent <= 22 {
            let v = Double(d.mantissa) * powersOf10[d.exponent]
            return d.negative ? -v : v
        }
        if d.exact, let bits = EiselLemire.bits(d.mantissa, d.exponent, significandBits: 52, bias: 1023) {
            return Double(bitPattern: bits | (d.negative ? 1 << 63 : 0))
        }
        if d.exact, d.mantissa <= 1 << 53, d.exponent >= -22, d.exponent < 0 {
            let v = Double(d.mantissa) / powersOf10[-d.exponent]
            return d.negative ? -v : v
        }
        if d.mantissa == 0 { return d.negative ? -0.0 : 0.0 }
        return slowDouble(p, n)
    }

    /// Parses a float32 (rounded once, from the decimal text); nil when not a number.
    @inline(__always)
    static func float(_ p: UnsafePointer<UInt8>, _ n: Int) -> Float? {
        guard let d = scan(p, n) else { return nil }
        if d.special != 0 {
            let v: Float = d.special == 1 ? .nan : .infinity
            return d.negative ? -v : v
        }
        if d.exact, d.mantissa <= 1 << 24, d.exponent >= -10, d.exponent <= 10 {
            let m = Float(d.mantissa)
            let v = d.exponent >= 0 ? m * powersOf10f[d.exponent] : m / powersOf10f[-d.exponent]
            return d.negative ? -v : v
        }
        if d.exact, let bits = EiselLemire.bits(d.mantissa, d.exponent, significandBits: 23, bias: 127) {
            return Float(bitPattern: UInt32(bits) | (d.negative ? 1 << 31 : 0))
        }
        return slowFloat(p, n)
    }

    private static func withCString<R>(_ p: UnsafePointer<UInt8>, _ n: Int,
                                       _ body: (UnsafePointer<CChar>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer in
            let base = buffer.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: p, byteCount: n)
            base[n] = 0
            let previous = uselocale(cLocale)
            defer { uselocale(previous) }
            return body(base)
        }
    }

    @inline(never)
    static func slowDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        withCString(p, n) { s in
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(s, &end)
            return end == UnsafeMutablePointer(mutating: s + n) ? v : nil
        }
    }

    @inline(never)
    static func slowFloat(_ p: UnsafePointer<UInt8>, _ n: Int) -> Float? {
        withCString(p, n) { s in
            var end: UnsafeMutablePointer<CChar>?
            let v = strtof(s, &end)
            return end == UnsafeMutablePointer(mutating: s + n) ? v : nil
        }
    }

    enum IntegerResult { case value(Int64), invalid, outOfRange }

    /// Parses `[+-]digits` as an Int64, strictly (no spaces, no fraction).
    @inline(__always)
    static func integer(_ p: UnsafePointer<UInt8>, _ n: Int) -> IntegerResult {
        var i = 0
        var negative = false
        if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
            negative = p[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < n else { return .invalid }
        var magnitude: UInt64 = 0
        var significant = 0
        while i < n {
            let digit = p[i] &- 48
            guard digit < 10 else { return .invalid }
            if magnitude != 0 || digit != 0 { significant += 1 }
            if significant <= 19 { magnitude = magnitude &* 10 &+ UInt64(digit) }
            i += 1
        }
        if significant > 19 { return .outOfRange }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return .outOfRange }
            return .value(Int64(bitPattern: 0 &- magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else { return .outOfRange }
        return .value(Int64(magnitude))
    }
}

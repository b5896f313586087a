/// Correctly rounded decimal → binary conversion for up to 19 significant
/// digits, after D. Lemire, "Number Parsing at a Gigabyte per Second" (2021).
///
/// The value w × 10^q is w × 5^q × 2^q. With 5^q kept as a 128-bit
/// significand P (truncated: the true one lies in [P, P+1)) and w shifted
/// left until its top bit is set, the top 128 bits z of w × P are within 2
/// units of z's last bit below the truth. The result's significand plus one
/// rounding bit are the top bits of z; when the bits below them are neither
/// all zeros (a possible exact tie) nor all ones (a possible carry), that
/// error cannot change the rounding, and the answer is exact. Otherwise, and
/// for subnormal or overflowing results, we return nil and the caller uses
/// `strtod`. About 1 value in 256 takes that road.
enum EiselLemire {
    /// 5^q as (high, low, binary exponent) for q in -342...308: 5^q ≈ (high·2^64 + low) · 2^exponent.
    struct Power { var high: UInt64; var low: UInt64; var exponent: Int32 }

    static let minimumQ = -342
    static let maximumQ = 308
    static let powers: [Power] = makePowers()

    /// `w × 10^q` as the bits of a binary float with `significandBits`
    /// explicit bits (52 for Double, 23 for Float) and exponent bias `bias`;
    /// nil when undecided.
    @inline(__always)
    static func bits(_ w: UInt64, _ q: Int, significandBits: Int, bias: Int) -> UInt64? {
        guard w != 0, q >= minimumQ, q <= maximumQ else { return nil }
        let power = powers[q - minimumQ]
        let lz = w.leadingZeroBitCount
        let wn = w << UInt64(lz)
        let a = wn.multipliedFullWidth(by: power.high)
        let b = wn.multipliedFullWidth(by: power.low)
        let (_, carry) = a.low.addingReportingOverflow(b.high)
        let zHigh = a.high &+ (carry ? 1 : 0)
        let upper = Int(zHigh >> 63)
        // Keep significandBits + 2 bits: the hidden bit, the significand, one rounding bit.
        let shift = 64 - (significandBits + 2) - 1 + upper
        let mask: UInt64 = (1 << UInt64(shift)) - 1
        let rest = zHigh & mask
        guard rest != 0, rest != mask else { return nil }
        var m = ((zHigh >> UInt64(shift)) + 1) >> 1
        var e = 129 + shift + Int(power.exponent) + q - lz
        if m == 1 << UInt64(significandBits + 1) { m >>= 1; e += 1 }
        let biased = e + significandBits + bias
        guard biased >= 1, biased <= 2 * bias else { return nil }
        return UInt64(biased) << UInt64(significandBits) | (m & ((1 << UInt64(significandBits)) - 1))
    }

    // MARK: Table of powers of five (built once, exactly, with big integers)

    private static func makePowers() -> [Power] {
        var table = [Power](repeating: Power(high: 0, low: 0, exponent: 0), count: maximumQ - minimumQ + 1)
        var five: [UInt64] = [1]  // 5^n, little-endian limbs
        for n in 0...max(-minimumQ, maximumQ) {
            let length = bitLength(five)
            if n <= maximumQ {
                // Top 128 bits of 5^n, truncated.
                let (high, low) = top128(five, length)
                table[n - minimumQ] = Power(high: high, low: low, exponent: Int32(length - 128))
            }
            if n >= 1 && n <= -minimumQ {
                // floor(2^(length+127) / 5^n): exactly 128 bits, by restoring division.
                var remainder = shiftedLeft(one: length, limbs: five.count + 1)
                var quotient: (UInt64, UInt64) = (0, 0)
                for step in 0..<128 {
                    if step > 0 { shiftLeftOne(&remainder) }
                    quotient = (quotient.0 << 1 | quotient.1 >> 63, quotient.1 << 1)
                    if compare(remainder, five) >= 0 {
                        subtract(&remainder, five)
                        quotient.1 |= 1
                    }
                }
                table[-n - minimumQ] = Power(high: quotient.0, low: quotient.1, exponent: Int32(-(length + 127)))
            }
            multiplyByFive(&five)
        }
        return table
    }

    private static func bitLength(_ x: [UInt64]) -> Int {
        var k = x.count - 1
        while k > 0 && x[k] == 0 { k -= 1 }
        return k * 64 + (64 - x[k].leadingZeroBitCount)
    }

    private static func bit(_ x: [UInt64], _ i: Int) -> UInt64 {
        i < 0 || i / 64 >= x.count ? 0 : (x[i / 64] >> UInt64(i % 64)) & 1
    }

    private static func top128(_ x: [UInt64], _ length: Int) -> (UInt64, UInt64) {
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<128 {
            let b = bit(x, length - 1 - i)
            if i < 64 { high |= b << UInt64(63 - i) } else { low |= b << UInt64(127 - i) }
        }
        return (high, low)
    }

    private static func shiftedLeft(one position: Int, limbs: Int) -> [UInt64] {
        var x = [UInt64](repeating: 0, count: max(limbs, position / 64 + 1))
        x[position / 64] = 1 << UInt64(position % 64)
        return x
    }

    private static func shiftLeftOne(_ x: inout [UInt64]) {
        var carry: UInt64 = 0
        for k in 0..<x.count {
            let next = x[k] >> 63
            x[k] = x[k] << 1 | carry
            carry = next
        }
        if carry != 0 { x.append(carry) }
    }

    private static func multiplyByFive(_ x: inout [UInt64]) {
        var carry: UInt64 = 0
        for k in 0..<x.count {
            let (high, low) = x[k].multipliedFullWidth(by: 5)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            x[k] = sum
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { x.append(carry) }
    }

    private static func compare(_ a: [UInt64], _ b: [UInt64]) -> Int {
        for k in stride(from: max(a.count, b.count) - 1, through: 0, by: -1) {
            let x = k < a.count ? a[k] : 0
            let y = k < b.count ? b[k] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }

    private static func subtract(_ a: inout [UInt64], _ b: [UInt64]) {
        var borrow: UInt64 = 0
        for k in 0..<a.count {
            let y = k < b.count ? b[k] : 0
            let (d1, o1) = a[k].subtractingReportingOverflow(y)
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            a[k] = d2
            borrow = (o1 || o2) ? 1 : 0
        }
    }
}

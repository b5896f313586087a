import Foundation

/// The special functions behind the p-values (chi-square and normal tails).
enum SpecialFunctions {
    /// ln Γ(x) (libm's `lgamma`, the overload returning a plain Double).
    static func logGamma(_ x: Double) -> Double {
        let r: Double = lgamma(x)
        return r
    }

    /// Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a): series for
    /// x < a + 1, Lentz's continued fraction above (relative error ~1e-15).
    static func gammaQ(_ a: Double, _ x: Double) -> Double {
        if x.isNaN || a.isNaN { return .nan }
        if x <= 0 { return 1 }
        if x.isInfinite { return 0 }
        let logPrefix = -x + a * log(x) - SpecialFunctions.logGamma(a)
        if x < a + 1 {
            var ap = a
            var del = 1.0 / a
            var sum = del
            for _ in 0..<100_000 {
                ap += 1
                del *= x / ap
                sum += del
                if abs(del) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 100_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-17 { break }
            i += 1
        }
        return exp(logPrefix) * h
    }

    /// Survival function of the chi-square distribution with `df` degrees of freedom.
    static func chiSquareSF(_ x: Double, df: Double) -> Double { gammaQ(df / 2, x / 2) }

    /// Two-sided normal tail 2·(1 − Φ(|z|)).
    static func normalTwoSided(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }
}

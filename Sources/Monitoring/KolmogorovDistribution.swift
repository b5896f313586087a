import Foundation

/// The survival function of the one-sample two-sided Kolmogorov–Smirnov
/// statistic Dₙ (scipy's `kstwo.sf`, after Simard & L'Ecuyer 2011), used by the
/// asymptotic two-sample p-value.
enum KolmogorovDistribution {
    static func sf(n: Int, x: Double) -> Double {
        let nd = Double(n)
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let t = nd * x
        if t <= 1 {                                   // Ruben–Gambino
            if t <= 0.5 { return 1 }
            let prob: Double
            if n <= 140 {
                var p = 1.0
                for i in 1...n { p *= Double(i) * (1.0 / nd) * (2 * t - 1) }
                prob = p
            } else {
                prob = exp(logFactorialOverPower(nd) + nd * log(2 * t - 1))
            }
            return clip(1 - prob)
        }
        if t >= nd - 1 { return clip(2 * pow(1 - x, nd)) }
        if x >= 0.5 { return clip(2 * smirnov(n, x)) }
        let nxx = t * x
        if n <= 140 {
            // scipy takes Pomeranz's recursion for 0.754693 < n·x² ≤ 4; the Durbin
            // matrix is exact there too.
            if nxx <= 4 { return clip(1 - durbin(n, x)) }
            return clip(2 * smirnov(n, x))
        }
        if nxx >= 370 { return 0 }
        if nxx >= 2.2 { return clip(2 * smirnov(n, x)) }
        if n <= 100_000 && nd * pow(x, 1.5) <= 1.4 { return clip(1 - durbin(n, x)) }
        return clip(1 - pelzGood(nd, x))
    }

    static func clip(_ p: Double) -> Double { min(max(p, 0), 1) }

    /// ln(n!/nⁿ) by Stirling's series.
    static func logFactorialOverPower(_ n: Double) -> Double {
        let coeffs = [-2.955065359477124183e-2, 6.4102564102564102564e-3,
                      -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                      -5.952380952380952381e-4, 7.9365079365079365079e-4,
                      -2.7777777777777777778e-3, 8.3333333333333333333e-2]
        let rn = 1.0 / n
        var poly = 0.0
        for c in coeffs { poly = poly * (rn / n) + c }
        return log(n) / 2 - n + log(2 * Double.pi) / 2 + rn * poly
    }

    /// Smirnov's one-sided tail P(Dₙ⁺ ≥ x), exact (Birnbaum–Tingey sum in logs).
    static func smirnov(_ n: Int, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        if x >= 1 { return 0 }
        let nd = Double(n)
        let lgn = SpecialFunctions.logGamma(nd + 1)
        var sum = 0.0
        var j = 0
        while j <= n {
            let a = 1 - x - Double(j) / nd
            if a < 0 { break }
            let b = x + Double(j) / nd
            if a == 0 {
                if n - j == 0 { sum += exp(lgn - SpecialFunctions.logGamma(Double(j) + 1) + Double(j - 1) * log(b)) }
                break
            }
            let lt = lgn - SpecialFunctions.logGamma(Double(j) + 1) - SpecialFunctions.logGamma(Double(n - j) + 1)
                + Double(n - j) * log(a) + Double(j - 1) * log(b)
            sum += exp(lt)
            j += 1
        }
        return x * sum
    }

    /// P(Dₙ ≤ d) by the Durbin matrix (Marsaglia–Tsang–Wang), with scaling.
    static func durbin(_ n: Int, _ d: Double) -> Double {
        if d >= 1 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var H = [Double](repeating: 0, count: m * m)
        var v = (1...m).map { 1.0 - pow(h, Double($0)) }
        var w = [Double](repeating: 0, count: m)
        var fac = 1.0
        for j in 1...m {
            w[j - 1] = fac
            fac /= Double(j)
            v[j - 1] *= fac
        }
        let tt = pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1 + tt) * fac
        for i in 1..<max(m, 1) {
            for r in (i - 1)..<m { H[r * m + i] = w[r - (i - 1)] }
        }
        for r in 0..<m { H[r * m] = v[r] }
        for c in 0..<m { H[(m - 1) * m + c] = v[m - 1 - c] }
        var P = [Double](repeating: 0, count: m * m)
        for i in 0..<m { P[i * m + i] = 1 }
        let ep128 = 0x1p128, e128 = 128
        var nn = n
        var expnt = 0, hExpnt = 0
        while nn > 0 {
            if nn % 2 == 1 {
                P = multiply(P, H, m)
                expnt += hExpnt
            }
            H = multiply(H, H, m)
            hExpnt *= 2
            if abs(H[(k - 1) * m + (k - 1)]) > ep128 {
                for i in H.indices { H[i] /= ep128 }
                hExpnt += e128
            }
            nn /= 2
        }
        var p = P[(k - 1) * m + (k - 1)]
        for i in 1...n {
            p = Double(i) * p / Double(n)
            if abs(p) < 0x1p-128 {
                p *= ep128
                expnt -= e128
            }
        }
        if expnt != 0 { p = scalbn(p, expnt) }
        return min(max(p, 0), 1)
    }

    private static func multiply(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for k in 0..<m {
                let aik = a[i * m + k]
                if aik == 0 { continue }
                for j in 0..<m { c[i * m + j] += aik * b[k * m + j] }
            }
        }
        return c
    }

    /// The Pelz–Good approximation to P(Dₙ ≤ x).
    static func pelzGood(_ n: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let pi2 = Double.pi * Double.pi, pi4 = pi2 * pi2, pi6 = pi4 * pi2
        let sqrt2pi = (2 * Double.pi).squareRoot()
        let z = n.squareRoot() * x
        let z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2
        let qlog = -pi2 / 8 / z2
        if qlog < -708 { return 0 }
        var q = exp(qlog)
        let k1a = -z2, k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64
        let k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * pow(z, 8)
        var K = [0.0, 0.0, 0.0, 0.0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        var k = maxk
        while k > 0 {
            let mm = Double(2 * k - 1)
            let m2 = mm * mm, m4 = m2 * m2, m6 = m4 * m2
            let qp = pow(q, Double(8 * k))
            let coeffs = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
            for i in 0..<4 { K[i] = K[i] * qp + coeffs[i] }
            k -= 1
        }
        let div = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for i in 0..<4 { K[i] = K[i] * q * sqrt2pi / div[i] }
        q = exp(-pi2 / 2 / z2)
        var k2extra = 0.0, k3extra = 0.0
        let sqrt3z = 3.0.squareRoot() * z
        k = maxk
        while k > 0 {
            let ks = Double(k), ksq = ks * ks
            let qp = pow(q, ksq)
            k2extra += ksq * qp
            let kspi = Double.pi * ks
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp
            k -= 1
        }
        K[2] += k2extra * pi2 * sqrt2pi / (-36 * z3)
        K[3] += k3extra * pi2 * sqrt2pi / (216 * z6)
        var sum = 0.0
        for i in 0..<4 { sum += K[i] / pow(n, Double(i) / 2) }
        return sum
    }
}

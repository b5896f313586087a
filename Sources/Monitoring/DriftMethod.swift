/// A drift statistic, named as Evidently names it (`auto` picks one per feature).
///
/// ```swift
/// let m = DriftMethod(rawValue: "psi")   // .psi
/// m?.defaultThreshold                     // 0.1
/// ```
public enum DriftMethod: String, Sendable, CaseIterable, Codable {
    /// Evidently's automatic choice (see ``DriftMethod/automatic(reference:current:)``).
    case auto
    /// Two-sample Kolmogorov–Smirnov test (numeric); the statistic is its p-value.
    case ks
    /// Pearson's chi-square test of current counts against reference proportions; p-value.
    case chisquare
    /// Two-proportion Z-test (two values); p-value.
    case z
    /// Wasserstein-1 distance divided by the reference standard deviation (numeric).
    case wasserstein
    /// Jensen–Shannon distance (natural log) between binned distributions.
    case jensenshannon
    /// Population stability index between binned distributions.
    case psi

    /// Evidently's default threshold: 0.05 for the p-value tests, 0.1 for the distances.
    public var defaultThreshold: Double {
        switch self {
        case .ks, .chisquare, .z, .auto: 0.05
        case .wasserstein, .jensenshannon, .psi: 0.1
        }
    }

    /// True when the statistic is a p-value (drift when it is small), false for a
    /// distance (drift when it is large).
    public var isPValue: Bool {
        switch self {
        case .ks, .chisquare, .z, .auto: true
        case .wasserstein, .jensenshannon, .psi: false
        }
    }

    /// Whether `statistic` means drift at `threshold`, with Evidently's comparisons:
    /// KS `p ≤ t`; chi-square and Z `p < t`; the distances `d ≥ t`.
    public func drifted(_ statistic: Double, threshold: Double) -> Bool {
        switch self {
        case .ks: statistic <= threshold
        case .chisquare, .z, .auto: statistic < threshold
        case .wasserstein, .jensenshannon, .psi: statistic >= threshold
        }
    }

    /// Evidently's automatic choice (`_get_default_stattest`): with at most 1000
    /// reference values, KS for numbers with more than 5 distinct values (reference
    /// and current together), chi-square for 3–5 values or categories, the Z-test
    /// for at most 2; above 1000, normed Wasserstein for numbers with more than 5
    /// distinct values and Jensen–Shannon otherwise.
    public static func automatic(reference: FeatureSample, current: FeatureSample) -> DriftMethod {
        let distinct = FeatureSample.distinctCount(reference, current, cappedAt: 5)
        if reference.count <= 1000 {
            if reference.isNumeric && distinct > 5 { return .ks }
            return distinct > 2 ? .chisquare : .z
        }
        if reference.isNumeric && distinct > 5 { return .wasserstein }
        return .jensenshannon
    }
}

/// One feature's drift verdict.
public struct FeatureDrift: Sendable, Equatable, Codable {
    /// The feature's name.
    public var feature: String
    /// The method used (never `auto`: the one `auto` picked).
    public var method: DriftMethod
    /// The p-value (KS, chi-square, Z) or distance (Wasserstein, Jensen–Shannon, PSI).
    public var statistic: Double
    /// The threshold compared against.
    public var threshold: Double
    /// Whether the feature drifted.
    public var drifted: Bool
    /// Non-null values in each window.
    public var referenceCount: Int
    public var currentCount: Int
}

/// The verdict over all features: dataset drift when at least `share` of them drifted.
public struct DatasetDrift: Sendable, Equatable, Codable {
    public var features: [FeatureDrift]
    /// Features that drifted.
    public var driftedCount: Int { features.filter(\.drifted).count }
    /// The share of features that must drift (Evidently's `drift_share`, 0.5).
    public var share: Double
    /// `driftedCount / features.count ≥ share` (Evidently's `get_dataset_drift`).
    public var drifted: Bool {
        features.isEmpty ? false : Double(driftedCount) / Double(features.count) >= share
    }
}

/// Errors of the drift computation.
public struct DriftError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Drift detection with Evidently's methods and defaults.
///
/// ```swift
/// let r = try Drift.feature("age", reference: .numeric(ref), current: .numeric(cur))
/// r.method    // .ks at ≤ 1000 reference values
/// r.drifted   // p ≤ 0.05
/// ```
public enum Drift {
    /// Computes one feature's statistic and verdict. `threshold` nil = the method's default.
    /// Throws when a window has no values or the method does not fit the feature's kind.
    public static func feature(_ name: String, reference: FeatureSample, current: FeatureSample,
                               method requested: DriftMethod = .auto, threshold: Double? = nil) throws -> FeatureDrift {
        guard reference.count > 0 else { throw DriftError("feature '\(name)': no non-null values in the reference window") }
        guard current.count > 0 else { throw DriftError("feature '\(name)': no non-null values in the current window") }
        let method = requested == .auto ? DriftMethod.automatic(reference: reference, current: current) : requested
        let statistic: Double
        switch method {
        case .ks, .wasserstein:
            guard case .numeric(let r) = reference, case .numeric(let c) = current else {
                throw DriftError("feature '\(name)': method '\(method.rawValue)' needs a numeric feature (use chisquare, z, jensenshannon or psi)")
            }
            statistic = method == .ks ? KolmogorovSmirnov.test(r, c).pValue
                                      : WassersteinDistance.normed(reference: r, current: c)
        case .chisquare: statistic = ChiSquareTest.pValue(reference: reference, current: current)
        case .z:
            let distinct = FeatureSample.distinctCount(reference, current, cappedAt: 2)
            guard distinct <= 2 else {
                throw DriftError("feature '\(name)': the Z-test needs at most 2 distinct values, found more")
            }
            statistic = ZTest.pValue(reference: reference, current: current)
        case .jensenshannon: statistic = JensenShannon.distance(reference: reference, current: current)
        case .psi: statistic = PopulationStability.index(reference: reference, current: current)
        case .auto: fatalError("auto was resolved above")
        }
        let t = threshold ?? method.defaultThreshold
        return FeatureDrift(feature: name, method: method, statistic: statistic, threshold: t,
                            drifted: method.drifted(statistic, threshold: t),
                            referenceCount: reference.count, currentCount: current.count)
    }
}

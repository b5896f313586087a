import FeatureStore

extension DriftReport {
    /// The report as the subject's latest drift result (``Store/recordDriftResult(_:)``),
    /// checked now. `reference` and `current` describe the windows as the CLI prints them.
    public func record(kind: DriftResultRecord.Kind, subject: String, reference: [String], current: [String],
                       at checkedAtMicros: Int64 = Clock.nowMicros()) -> DriftResultRecord {
        DriftResultRecord(
            kind: kind, subject: subject, checkedAtMicros: checkedAtMicros, reference: reference, current: current,
            features: result.features.map {
                .init(feature: $0.feature, method: $0.method.rawValue, statistic: $0.statistic,
                      threshold: $0.threshold, drifted: $0.drifted)
            },
            driftShare: result.share, datasetDrift: result.drifted)
    }
}

import FeatureStore
import Tabular

/// What `fsctl drift` compares and how.
public struct DriftRequest: Sendable, Equatable {
    public var table: String
    /// Inclusive windows of event time (UTC µs).
    public var reference: ClosedRange<Int64>
    public var current: ClosedRange<Int64>
    public var method: DriftMethod
    /// nil = every comparable feature of the table's current version.
    public var features: [String]?
    /// nil = the method's default threshold.
    public var threshold: Double?
    /// Evidently's `drift_share`: dataset drift when at least this share of features drifted.
    public var share: Double

    public init(table: String, reference: ClosedRange<Int64>, current: ClosedRange<Int64>,
                method: DriftMethod = .auto, features: [String]? = nil, threshold: Double? = nil, share: Double = 0.5) {
        self.table = table; self.reference = reference; self.current = current
        self.method = method; self.features = features; self.threshold = threshold; self.share = share
    }
}

/// A drift report: the verdicts and the samples behind them (for charts).
public struct DriftReport: Sendable {
    public var request: DriftRequest
    public var result: DatasetDrift
    /// Events in each window.
    public var referenceEvents: Int
    public var currentEvents: Int
    /// Per feature (same order as `result.features`): the compared samples.
    public var samples: [(reference: FeatureSample, current: FeatureSample)]
}

extension Store {
    /// Reads both windows of `request.table` from the event log and computes,
    /// per feature, Evidently's statistic and verdict, and dataset drift.
    ///
    /// ```swift
    /// let report = try store.drift(DriftRequest(table: "user_stats", reference: r0...r1, current: c0...c1))
    /// report.result.drifted   // ≥ half the features drifted
    /// ```
    /// Throws `notFound` for an unknown table or feature, `invalidInput` for an
    /// empty window or a method that does not fit a feature (KS on a string).
    public func drift(_ request: DriftRequest) throws -> DriftReport {
        let ref = try eventWindow(table: request.table, start: request.reference.lowerBound,
                                  end: request.reference.upperBound, features: request.features)
        let cur = try eventWindow(table: request.table, start: request.current.lowerBound,
                                  end: request.current.upperBound, features: request.features)
        guard !ref.features.isEmpty else {
            throw FeatureStoreError(.invalidInput, "table '\(request.table)' has no feature drift can compare")
        }
        guard ref.events > 0 else {
            throw FeatureStoreError(.invalidInput, "table '\(request.table)': no events in the reference window")
        }
        guard cur.events > 0 else {
            throw FeatureStoreError(.invalidInput, "table '\(request.table)': no events in the current window")
        }
        var verdicts: [FeatureDrift] = []
        var samples: [(reference: FeatureSample, current: FeatureSample)] = []
        for (r, c) in zip(ref.features, cur.features) {
            let a = FeatureSample(r.values), b = FeatureSample(c.values)
            do {
                verdicts.append(try Drift.feature(r.name, reference: a, current: b,
                                                  method: request.method, threshold: request.threshold))
            } catch let e as DriftError {
                throw FeatureStoreError(.invalidInput, "table '\(request.table)': \(e.description)")
            }
            samples.append((a, b))
        }
        return DriftReport(request: request, result: DatasetDrift(features: verdicts, share: request.share),
                           referenceEvents: ref.events, currentEvents: cur.events, samples: samples)
    }
}

extension FeatureSample {
    /// A sample from event-log values (NaN and infinities dropped, as Evidently does).
    public init(_ values: EventWindowValues.Values) {
        switch values {
        case .numbers(let v): self = .numbers(v)
        case .strings(let v): self = .categorical(v)
        }
    }
}

import FeatureStore
import Tabular

/// What a drift report compares the current window against.
public enum DriftReference: Sendable, Equatable {
    /// An inclusive window of event time (UTC µs).
    case window(ClosedRange<Int64>)
    /// The values a training set exported (its output file), by id.
    case trainingSet(String)
}

/// What `fsctl drift` compares and how.
public struct DriftRequest: Sendable, Equatable {
    public var table: String
    public var reference: DriftReference
    /// Inclusive window of event time (UTC µs).
    public var current: ClosedRange<Int64>
    public var method: DriftMethod
    /// nil = every comparable feature of the table's current version.
    public var features: [String]?
    /// nil = the method's default threshold.
    public var threshold: Double?
    /// Evidently's `drift_share`: dataset drift when at least this share of features drifted.
    public var share: Double
    /// Per-feature method overrides (by feature name), over `method`.
    public var featureMethods: [String: DriftMethod] = [:]
    /// Per-feature threshold overrides (by feature name), over `threshold`.
    public var featureThresholds: [String: Double] = [:]
    /// Only events whose int64 feature equals a value in both windows (the
    /// prediction log's `model_version`); nil = every event.
    public var filter: EventFilter?
    /// What the report is about when not the table itself (`model 'churn'`
    /// for a prediction log); used in error messages. nil = `table 'NAME'`.
    public var subject: String?

    public init(table: String, reference: DriftReference, current: ClosedRange<Int64>,
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
    /// let report = try store.drift(DriftRequest(table: "user_stats", reference: .window(r0...r1), current: c0...c1))
    /// report.result.drifted   // ≥ half the features drifted
    /// ```
    /// Throws `notFound` for an unknown table or feature, `invalidInput` for an
    /// empty window or a method that does not fit a feature (KS on a string).
    public func drift(_ request: DriftRequest) throws -> DriftReport {
        let ref: EventWindowValues, cur: EventWindowValues
        switch request.reference {
        case .window(let w):
            // Both windows in one scan of the event log.
            let both = try eventWindows(table: request.table, windows: [w, request.current], features: request.features,
                                        filter: request.filter)
            (ref, cur) = (both[0], both[1])
        case .trainingSet(let id):
            ref = try trainingSetValues(id: id, table: request.table, features: request.features)
            // The current window reads the features the training set holds.
            cur = try eventWindows(table: request.table, windows: [request.current],
                                   features: ref.features.map(\.name), filter: request.filter)[0]
        }
        let who = request.subject ?? "table '\(request.table)'"
        let only = request.filter.map { " with \($0.feature) = \($0.value)" } ?? ""
        guard !ref.features.isEmpty else {
            throw FeatureStoreError(.invalidInput, "\(who) has no feature drift can compare")
        }
        guard ref.events > 0 else {
            throw FeatureStoreError(.invalidInput, "\(who): no events\(only) in the reference \(Self.describe(request.reference))")
        }
        guard cur.events > 0 else {
            throw FeatureStoreError(.invalidInput, "\(who): no events\(only) in the current \(Self.describe(.window(request.current)))")
        }
        let names = Set(ref.features.map(\.name))
        for name in Set(request.featureMethods.keys).union(request.featureThresholds.keys).sorted() where !names.contains(name) {
            throw FeatureStoreError(.notFound, "per-feature override for '\(name)', which is not among the compared features of '\(request.table)' (\(ref.features.map(\.name).joined(separator: ", ")))")
        }
        // Features are independent: one per core (the sorts of normed Wasserstein dominate).
        let pairs = Array(zip(ref.features, cur.features))
        let computed = try ParallelFeatures.map(pairs.count) { i in
            let (r, c) = pairs[i]
            let a = FeatureSample(r.values), b = FeatureSample(c.values)
            do {
                let verdict = try Drift.feature(r.name, reference: a, current: b,
                                                method: request.featureMethods[r.name] ?? request.method,
                                                threshold: request.featureThresholds[r.name] ?? request.threshold)
                return (verdict, (reference: a, current: b))
            } catch let e as DriftError {
                throw FeatureStoreError(.invalidInput, "\(who): \(e.description)")
            }
        }
        let verdicts = computed.map(\.0)
        let samples = computed.map(\.1)
        return DriftReport(request: request, result: DatasetDrift(features: verdicts, share: request.share),
                           referenceEvents: ref.events, currentEvents: cur.events, samples: samples)
    }
}

extension Store {
    static func describe(_ r: DriftReference) -> String {
        switch r {
        case .window(let w): "window \(Timestamp.format(w.lowerBound))..\(Timestamp.format(w.upperBound))"
        case .trainingSet(let id): "training set '\(id)'"
        }
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

import FoundationEssentials
import LMDB

/// The latest drift verdict of one subject (a feature table, or a model's
/// prediction log), as `fsctl drift` records it and the server's `/metrics`
/// exports it (docs/storage-format.md, `drift_results`).
public struct DriftResultRecord: Codable, Sendable, Equatable {
    /// What was compared.
    public enum Kind: String, Codable, Sendable {
        /// A feature table's events.
        case table
        /// A model's prediction log (`predictions__<model>`).
        case model
    }

    /// One feature's verdict.
    public struct Feature: Codable, Sendable, Equatable {
        public var feature: String
        /// The method used (`wasserstein`, `ks`, …; never `auto`).
        public var method: String
        /// The p-value or distance.
        public var statistic: Double
        public var threshold: Double
        public var drifted: Bool

        public init(feature: String, method: String, statistic: Double, threshold: Double, drifted: Bool) {
            self.feature = feature; self.method = method; self.statistic = statistic
            self.threshold = threshold; self.drifted = drifted
        }
    }

    public var kind: Kind
    /// The table name, the model name, or `model/version` for a model's
    /// predictions filtered to one version (`--version`).
    public var subject: String
    /// When the check ran (UTC µs).
    public var checkedAtMicros: Int64
    /// `[START, END]` (ISO-8601) or `["training-set", ID]`.
    public var reference: [String]
    /// `[START, END]` (ISO-8601).
    public var current: [String]
    public var features: [Feature]
    /// Evidently's `drift_share`.
    public var driftShare: Double
    /// At least `driftShare` of the features drifted.
    public var datasetDrift: Bool

    public init(kind: Kind, subject: String, checkedAtMicros: Int64, reference: [String], current: [String],
                features: [Feature], driftShare: Double, datasetDrift: Bool) {
        self.kind = kind; self.subject = subject; self.checkedAtMicros = checkedAtMicros
        self.reference = reference; self.current = current; self.features = features
        self.driftShare = driftShare; self.datasetDrift = datasetDrift
    }

    /// The record's key in `drift_results`: kind · `00` · subject (UTF-8).
    var key: [UInt8] { Array(kind.rawValue.utf8) + [0] + Array(subject.utf8) }
}

extension Store {
    /// The name of the database of drift results (added after format 1: created
    /// by the first write, absent from older stores).
    static let driftResultsDatabase = "drift_results"

    /// Stores `record` as the latest result of its subject, replacing the
    /// previous one, in one write transaction.
    public func recordDriftResult(_ record: DriftResultRecord) throws {
        guard !environment.options.readOnly else {
            throw FeatureStoreError.invalid("\(path): opened read-only; cannot record a drift result")
        }
        let database = try environment.openDatabase(Self.driftResultsDatabase, create: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let value = Array(try encoder.encode(record))
        try environment.write { txn in try txn.put(record.key, value, in: database) }
    }

    /// The latest drift result of every subject, in key order (models, then
    /// tables, each by name); empty when no drift was ever recorded. One read
    /// transaction.
    public func driftResults() throws -> [DriftResultRecord] {
        let database: Database
        do {
            database = try environment.openDatabase(Self.driftResultsDatabase, create: false)
        } catch let e as LMDBError where e.code == .notFound {
            return []
        }
        return try environment.read { txn in
            var out: [DriftResultRecord] = []
            let decoder = JSONDecoder()
            try txn.withCursor(database) { c in
                var more = try c.first()
                while more {
                    do {
                        out.append(try decoder.decode(DriftResultRecord.self, from: Data(c.value)))
                    } catch {
                        let key = String(decoding: c.key.map { $0 == 0 ? UInt8(ascii: "/") : $0 }, as: UTF8.self)
                        throw FeatureStoreError.corrupt("\(path): drift result '\(key)' cannot be decoded: \(error)")
                    }
                    more = try c.next()
                }
            }
            return out
        }
    }
}

import FeatureStore
import Inference
import ModelRegistry
import Monitoring

extension DriftCommand {
    /// `fsctl drift --model NAME [--version V]`: the model's prediction log
    /// (`predictions__NAME`) as the compared table, its `model_version` as the filter.
    struct ModelTarget: CustomStringConvertible {
        var model: String
        var version: Int?
        /// `predictions__<model>`.
        var table: String
        /// The comparable features of the log except `model_version`: the
        /// prediction columns and any other logged feature.
        var logged: [String]

        /// Resolves `model` in the registry and finds its prediction log; errors
        /// name the model and say how to start a log.
        init(store: Store, model: String, version: Int?) throws {
            let registry = try ModelRegistry(store: store)
            let summary = try registry.model(model)
            self.model = summary.model.name
            self.version = version
            table = PredictionLog.tableName(model: self.model)
            guard let log = try store.catalog().currentVersion(of: table) else {
                throw FeatureStoreError(.notFound, """
                    model '\(self.model)' has no prediction log yet (table \(table)): log predictions with \
                    `fsctl score --model \(self.model) --entities FILE --out FILE --log` (or Scorer.score(entities:log: true) \
                    in Swift), then compare two windows of it
                    """)
            }
            logged = log.definition.features.filter { $0.name != "model_version" && Store.isDriftComparable($0.type) }
                .map(\.name)
            guard !logged.isEmpty else {
                throw FeatureStoreError(.invalidInput, "model '\(self.model)': its prediction log \(table) has no prediction column to compare")
            }
            if let version, !summary.versions.contains(where: { $0.version == version }) {
                throw FeatureStoreError(.notFound, "model '\(self.model)' has no version \(version) (its versions: \(summary.versions.map { String($0.version) }.joined(separator: ", ")))")
            }
        }

        /// `--features` when given (each must be logged), else every logged feature.
        func features(_ requested: [String]?) throws -> [String] {
            guard let requested else { return logged }
            for name in requested where !logged.contains(name) {
                throw FeatureStoreError(.notFound, "model '\(model)': its prediction log \(table) has no feature '\(name)' (it has \(logged.joined(separator: ", ")))")
            }
            return requested
        }

        /// Only this version's predictions.
        var filter: EventFilter? { version.map { EventFilter(feature: "model_version", value: Int64($0)) } }

        /// `churn`, or `churn/3` with a version: the recorded result's subject.
        var subject: String { version.map { "\(model)/\($0)" } ?? model }

        /// `model 'churn'` or `model 'churn' version 3`: the subject of error messages.
        var description: String { version.map { "model '\(model)' version \($0)" } ?? "model '\(model)'" }
    }
}

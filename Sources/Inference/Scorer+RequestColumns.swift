import FeatureStore
import Tabular

/// Request-time features given as columns of an entity file (`fsctl score`):
/// a column whose name is one the scorer accepts as a request-time feature
/// (`table:feature`, `table@N:feature`, `table__feature`, or the bare
/// `feature` when only one input has it) overrides the stored value of that
/// input, row by row. A null (empty) cell overrides nothing: the row keeps
/// the store's value. A NaN cell passes a missing value.
extension Scorer {
    /// Every name a request-time feature can be given by, with the type of
    /// the input it sets (the primary's, when versions differ): the types an
    /// entity file's columns of those names are read as.
    ///
    /// ```swift
    /// scorer.requestFeatureTypes["user_stats:age"]   // .float64
    /// ```
    public var requestFeatureTypes: [String: DataType] {
        var types: [String: DataType] = [:]
        for scoring in versions {
            for (name, input) in scoring.requestNames where types[name] == nil {
                types[name] = scoring.query.features[input].feature.type
            }
        }
        return types
    }

    /// The indices of `fields` that are request-time feature columns (names
    /// in ``requestFeatureTypes``), leaving out `reserved` names (join keys,
    /// the timestamp column).
    ///
    /// - Throws: ``FeatureStoreError`` naming `file` when two columns set the
    ///   same input of a version (`age` and `user_stats:age`), or when a
    ///   column's type is not a number or a boolean.
    public func requestFeatureColumns(_ fields: [Field], reserved: Set<String> = [],
                                      file: String = "the entity file") throws -> [Int] {
        let columns = fields.indices.filter { c in
            !reserved.contains(fields[c].name) && versions.contains { $0.requestNames[fields[c].name] != nil }
        }
        for scoring in versions {
            var given: [Int: String] = [:]
            for c in columns {
                let name = fields[c].name
                guard let input = scoring.requestNames[name] else { continue }
                if let other = given[input] {
                    throw FeatureStoreError(.invalidInput,
                        "\(file): columns '\(other)' and '\(name)' both give input '\(scoring.version.inputs[input].ref)' "
                        + "of \(scoring.version.ref); keep one")
                }
                given[input] = name
            }
        }
        for c in columns where !ScoringModel.isNumeric(fields[c].type) {
            throw FeatureStoreError(.invalidInput,
                "\(file): column '\(fields[c].name)' is \(fields[c].type); as a request-time feature it must be "
                + "\(requestFeatureTypes[fields[c].name].map { "\($0)" } ?? "a number")")
        }
        return columns
    }

    /// The request-time features of each row of `batch` from its `columns`
    /// (``requestFeatureColumns(_:reserved:file:)``), for
    /// ``score(entities:requestFeatures:at:)``: a null cell gives nothing (the
    /// stored value stays); bool is 0/1. Empty when `columns` is.
    public func requestFeatures(of batch: RecordBatch, columns: [Int]) -> [[String: Double]] {
        guard !columns.isEmpty else { return [] }
        return (0..<batch.rowCount).map { row in
            var features: [String: Double] = [:]
            for c in columns where !batch.columns[c].isNull(row) {
                features[batch.fields[c].name] = ScoringModel.double(batch.columns[c].value(at: row))
            }
            return features
        }
    }
}

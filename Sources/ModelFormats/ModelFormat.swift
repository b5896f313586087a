/// The model file formats the native scorer reads (SPEC section 11).
///
/// The raw value is the name a user writes (`--format xgboost-json`) and the
/// name stored with a registered model version.
///
/// ```swift
/// let format = ModelFormat(rawValue: "lightgbm-text")!   // .lightgbmText
/// ```
public enum ModelFormat: String, CaseIterable, Sendable {
    /// XGBoost 3.x JSON model (`booster.save_model("m.json")`), gbtree only.
    case xgboostJSON = "xgboost-json"
    /// LightGBM 4.x text model (`booster.save_model("m.txt")`).
    case lightgbmText = "lightgbm-text"
    /// This project's JSON schema for linear and logistic models (docs/models.md).
    case linearJSON = "linear-json"
    /// An ONNX graph as skl2onnx writes it for LogisticRegression, LinearRegression
    /// and MLP pipelines (imputer and scaler in front).
    case onnx
}

/// What a model predicts, which fixes the meaning and number of its outputs.
public enum ModelKind: Equatable, Sendable, CustomStringConvertible {
    /// One output: the probability of the positive class.
    case binaryClassifier
    /// One output: the predicted value.
    case regressor
    /// `k` outputs: the probability of each class, in class order.
    case multiclass(Int)

    /// Number of values `predict` writes per row.
    public var outputCount: Int {
        switch self {
        case .binaryClassifier, .regressor: return 1
        case .multiclass(let k): return k
        }
    }

    /// `binary classifier`, `regressor` or `3-class classifier`.
    public var description: String {
        switch self {
        case .binaryClassifier: return "binary classifier"
        case .regressor: return "regressor"
        case .multiclass(let k): return "\(k)-class classifier"
        }
    }
}

/// A model parsed once into a flat in-memory form, ready to score rows.
///
/// A row is `inputCount` doubles in the model's input-column order; a missing
/// value is `Double.nan`. Each format converts a row exactly as its training
/// library does (XGBoost and ONNX to `Float`, LightGBM and linear-json keep
/// `Double`); docs/models.md has the rules. Outputs are written as doubles:
/// the positive-class probability (binary), the value (regression) or one
/// probability per class (multiclass).
///
/// Models are immutable and safe to share between threads.
///
/// ```swift
/// let model = try ModelLoader.load(bytes, format: .xgboostJSON)
/// let p = model.predict([35, 12, .nan, 2])      // [0.8127...]
/// ```
public protocol LoadedModel: Sendable {
    /// The file format the model was read from.
    var format: ModelFormat { get }
    /// Number of input features per row.
    var inputCount: Int { get }
    /// What the model predicts; `kind.outputCount` values per row.
    var kind: ModelKind { get }
    /// Input-column names stored in the artifact, if it stores them (in input order).
    var featureNames: [String]? { get }

    /// Scores one row into `output` (`kind.outputCount` values) without allocating
    /// on the heap. `row.count` must be `inputCount`.
    func predict(row: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>)

    /// Scores `rows` rows stored row-major in `batch` (`rows * inputCount` values)
    /// into `output` (`rows * kind.outputCount` values), row-major. Large batches
    /// are split over two threads; results are identical to scoring row by row.
    func predict(batch: UnsafeBufferPointer<Double>, rows: Int, into output: UnsafeMutableBufferPointer<Double>)
}

extension LoadedModel {
    /// Number of values `predict` writes per row (`kind.outputCount`).
    public var outputCount: Int { kind.outputCount }

    /// Scores one row; convenience over `predict(row:into:)` that allocates the result.
    /// - Precondition: `row.count == inputCount`.
    public func predict(_ row: [Double]) -> [Double] {
        precondition(row.count == inputCount, "row has \(row.count) values, the model takes \(inputCount)")
        var out = [Double](repeating: 0, count: outputCount)
        row.withUnsafeBufferPointer { r in
            out.withUnsafeMutableBufferPointer { o in predict(row: r, into: o) }
        }
        return out
    }

    /// Scores a row-major batch; convenience over `predict(batch:rows:into:)`.
    /// - Precondition: `batch.count == rows * inputCount`.
    public func predict(batch: [Double], rows: Int) -> [Double] {
        precondition(batch.count == rows * inputCount, "batch has \(batch.count) values, expected \(rows) x \(inputCount)")
        var out = [Double](repeating: 0, count: rows * outputCount)
        batch.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in predict(batch: b, rows: rows, into: o) }
        }
        return out
    }
}

/// Parses model artifacts into `LoadedModel`s.
///
/// ```swift
/// let bytes = Array(try Data(contentsOf: url))
/// let model = try ModelLoader.load(bytes, format: .lightgbmText)
/// ```
public enum ModelLoader {
    /// Parses `bytes` as `format`. Throws `ModelFormatError` naming what is wrong,
    /// where (JSON path, line or graph node) and what was expected, for truncated
    /// or malformed files, a file of another format, and objectives, boosters or
    /// operators this scorer does not implement.
    public static func load(_ bytes: [UInt8], format: ModelFormat) throws -> any LoadedModel {
        switch format {
        case .xgboostJSON: return try XGBoostModel(json: bytes)
        case .lightgbmText: return try LightGBMModel(text: bytes)
        case .linearJSON: return try LinearModel(json: bytes)
        case .onnx: return try ONNXModel(protobuf: bytes)
        }
    }
}

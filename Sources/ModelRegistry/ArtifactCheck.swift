import FeatureStore
import ModelFormats

/// What a validator learned about an artifact, shown by `models show` and
/// used to check the model's feature refs.
public struct ArtifactSummary: Sendable, Equatable {
    /// How many input columns the model takes, when the file says.
    public var inputCount: Int?
    /// The input columns' names, when the file lists them.
    public var inputNames: [String]?
    /// One line: `xgboost-json binary classifier, 2 inputs`.
    public var detail: String

    /// Makes a summary.
    public init(inputCount: Int?, inputNames: [String]?, detail: String) {
        self.inputCount = inputCount; self.inputNames = inputNames; self.detail = detail
    }
}

/// Decides at registration whether an artifact can be used: a file the
/// inference module cannot load is refused before anything is stored.
///
/// The registry's default is ``LoadingArtifactValidator`` (a real load with
/// ModelFormats); tests may pass their own.
///
/// ```swift
/// let registry = try ModelRegistry(store: store, validator: LoadingArtifactValidator())
/// ```
public protocol ArtifactValidator: Sendable {
    /// Returns what the artifact is, or throws a ``FeatureStoreError`` of kind
    /// `invalidInput` whose message names `fileName` and says what was expected.
    func validate(_ bytes: [UInt8], format: ModelFormat, fileName: String) throws -> ArtifactSummary
}

/// Loads the artifact with ModelFormats' `ModelLoader`, exactly as scoring
/// will: a model that does not load is refused with the loader's error
/// (`model.json: xgboost-json: learner.objective.name: unsupported objective …`).
///
/// A file that loads as another of the formats says so:
/// `model.txt: xgboost-json: …; it looks like a LightGBM text model (use --format lightgbm-text)`.
public struct LoadingArtifactValidator: ArtifactValidator {
    /// Makes the validator.
    public init() {}

    /// See the type's documentation.
    public func validate(_ bytes: [UInt8], format: ModelFormat, fileName: String) throws -> ArtifactSummary {
        let model: any LoadedModel
        do {
            model = try ModelLoader.load(bytes, format: format)
        } catch {
            var message = "\(fileName): \(error)"
            if let guess = Self.guess(bytes, notAs: format) {
                message += "; it looks like \(Self.article(guess)) (use --format \(guess.rawValue))"
            }
            throw FeatureStoreError(.invalidInput, message)
        }
        let inputs = model.inputCount == 1 ? "1 input" : "\(model.inputCount) inputs"
        return ArtifactSummary(inputCount: model.inputCount, inputNames: model.featureNames,
                               detail: "\(format.rawValue) \(model.kind), \(inputs)")
    }

    /// "an XGBoost JSON model", … for messages.
    static func article(_ f: ModelFormat) -> String {
        switch f {
        case .xgboostJSON: "an XGBoost JSON model"
        case .lightgbmText: "a LightGBM text model"
        case .linearJSON: "a linear-json model"
        case .onnx: "an ONNX model"
        }
    }

    /// The other format the bytes load as, if any (only on the error path).
    static func guess(_ bytes: [UInt8], notAs format: ModelFormat) -> ModelFormat? {
        ModelFormat.allCases.first { $0 != format && (try? ModelLoader.load(bytes, format: $0)) != nil }
    }
}

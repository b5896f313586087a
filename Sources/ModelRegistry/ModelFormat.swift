/// The artifact formats a model version can have (SPEC 8 and 11).
public enum ModelFormat: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// XGBoost's JSON model (`booster.save_model("model.json")`), gbtree.
    case xgboostJSON = "xgboost-json"
    /// LightGBM's text model (`booster.save_model("model.txt")`).
    case lightgbmText = "lightgbm-text"
    /// A linear or logistic regression as a small JSON document (docs/registry.md).
    case linearJSON = "linear-json"
    /// An ONNX `ModelProto` (as skl2onnx writes it).
    case onnx

    /// Parses a `--format` value; the error lists the formats.
    public init(parsing text: String) throws {
        guard let f = ModelFormat(rawValue: text) else {
            let names = ModelFormat.allCases.map(\.rawValue)
            throw RegistryError.invalid("unknown model format '\(text)'"
                                        + NameSuggestionHint.hint(text, names)
                                        + "; expected one of \(names.joined(separator: ", "))")
        }
        self = f
    }

    /// `xgboost-json`, … (the `--format` value).
    public var description: String { rawValue }
}

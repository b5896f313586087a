@_exported import ModelFormats

/// The registry stores a version's format by its `--format` name.
extension ModelFormat: Codable {}

extension ModelFormat: CustomStringConvertible {
    /// `xgboost-json`, … (the `--format` value).
    public var description: String { rawValue }
}

extension ModelFormat {
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
}

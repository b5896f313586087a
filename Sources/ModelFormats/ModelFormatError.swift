/// A model artifact that cannot be loaded: what is wrong, where, and what was expected.
///
/// `description` reads like
/// `xgboost-json: learner.objective.name: unsupported objective "rank:pairwise" (supported: binary:logistic, ...)`.
public struct ModelFormatError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The format the bytes were read as.
    public let format: ModelFormat
    /// Where in the artifact: a JSON path, `line N`, `byte N` or an ONNX node.
    public let location: String
    /// What is wrong and what was expected.
    public let message: String

    /// Creates an error at `location` of a `format` artifact.
    public init(_ format: ModelFormat, at location: String, _ message: String) {
        self.format = format
        self.location = location
        self.message = message
    }

    /// `format: location: message`, as shown to users.
    public var description: String {
        location.isEmpty ? "\(format.rawValue): \(message)" : "\(format.rawValue): \(location): \(message)"
    }
}

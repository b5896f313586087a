/// A domain error of the store: it names the object, the file and line, and the
/// value, and says what was expected.
///
/// ```swift
/// catch let e as FeatureStoreError { print(e) }  // events.csv:1043: column 'age': cannot parse "abc" as float64
/// ```
public struct FeatureStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure it is (for callers that branch, and exit codes).
    public enum Kind: String, Sendable {
        /// Bad input: a file, a value, a command-line argument.
        case invalidInput
        /// A named object does not exist.
        case notFound
        /// The request conflicts with the store's state (already ingested, in use, …).
        case conflict
        /// The store's content is not what it should be.
        case corrupt
        /// The file system or LMDB failed.
        case io
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func invalid(_ m: String) -> FeatureStoreError { .init(.invalidInput, m) }
    static func notFound(_ m: String) -> FeatureStoreError { .init(.notFound, m) }
    static func conflict(_ m: String) -> FeatureStoreError { .init(.conflict, m) }
    static func corrupt(_ m: String) -> FeatureStoreError { .init(.corrupt, m) }
    static func io(_ m: String) -> FeatureStoreError { .init(.io, m) }
}

/// An error in a definitions file, a feature ref, or an apply plan.
///
/// It names where the problem is (file and line, when known), which object it
/// is about, and what is wrong, and prints as one line a user can act on:
///
/// ```swift
/// let error = CatalogError(at: SourceLocation(file: "features.yaml", line: 14),
///                          object: "feature 'age'", "unknown type 'flaot64'")
/// print(error)   // features.yaml:14: feature 'age': unknown type 'flaot64'
/// ```
///
/// Errors about several things at once (the breaking changes of a table) put
/// one item per following line, indented.
public struct CatalogError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Where the problem was found; nil for errors not tied to a file
    /// (a feature ref typed on the command line, say).
    public var location: SourceLocation?
    /// The object the error is about, as the user would name it:
    /// `feature 'age'`, `feature table 'user_stats'`, `feature ref 'a:b'`.
    public var object: String?
    /// What is wrong, and when possible what to do about it.
    public var message: String

    /// Makes an error; see the type's documentation for how it prints.
    public init(at location: SourceLocation? = nil, object: String? = nil, _ message: String) {
        self.location = location
        self.object = object
        self.message = message
    }

    /// `file:line: object: message`, leaving out the parts that are nil.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        if let object { text += "\(object): " }
        return text + message
    }
}

extension CatalogError {
    /// A copy that says where the problem was, if it did not say so already.
    func locatedIfUnknown(_ location: SourceLocation?) -> CatalogError {
        var copy = self
        if copy.location == nil { copy.location = location }
        return copy
    }
}

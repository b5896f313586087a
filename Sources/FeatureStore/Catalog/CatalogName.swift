/// The rules for names of entities, join keys, feature tables, features,
/// timestamp fields and feature services: `[A-Za-z_][A-Za-z0-9_]*`, at most
/// 128 characters. They are identifiers in every language a training job may
/// use, and column names in every file format, without quoting.
///
/// ```swift
/// CatalogName.isValid("user_stats")   // true
/// CatalogName.isValid("user-stats")   // false
/// ```
public enum CatalogName {
    /// The longest name allowed, in characters (all ASCII).
    public static let maxLength = 128

    /// Whether `name` follows the naming rules.
    public static func isValid(_ name: String) -> Bool { problem(with: name) == nil }

    /// What is wrong with `name`, phrased to follow "invalid name 'x': ", or
    /// nil when it is valid.
    static func problem(with name: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "a name cannot be empty" }
        guard name.unicodeScalars.count <= maxLength else {
            return "names are at most \(maxLength) characters"
        }
        func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" }
        guard isLetter(first) else { return "a name starts with a letter or '_'" }
        guard name.unicodeScalars.allSatisfy({ isLetter($0) || ("0"..."9").contains($0) }) else {
            return "a name has only letters, digits and '_'"
        }
        return nil
    }

    /// Throws `invalid <what> 'name': <reason>` when `name` is not valid.
    static func validate(_ name: String, what: String, at location: SourceLocation?,
                         object: String?) throws(CatalogError) {
        if let problem = problem(with: name) {
            throw CatalogError(at: location, object: object, "invalid \(what) '\(name)': \(problem)")
        }
    }
}

import FeatureStore

/// The rules for model names, alias names and metric/param/tag keys.
///
/// | what | rule |
/// | --- | --- |
/// | model name | `[A-Za-z_][A-Za-z0-9_.-]*`, at most 128 characters |
/// | alias | `[A-Za-z_][A-Za-z0-9_-]*`, at most 128 characters, not `latest` (it means the newest version) |
/// | metric, param, tag key | non-empty, at most 128 characters, none of `= < > ! ,`, no whitespace |
///
/// Model names keep `/` and `@` out because refs use them (`churn/3`,
/// `churn@production`); metric names keep out the characters of a quality
/// gate's operators (`auc>=0.85`).
///
/// ```swift
/// try ModelName.validateModel("churn")          // ok
/// try ModelName.validateAlias("latest")         // throws: reserved
/// ```
public enum ModelName {
    /// The longest name allowed, in characters.
    public static let maxLength = 128
    /// The alias that always means the newest version; it cannot be set.
    public static let latest = "latest"

    /// Throws when `name` is not a valid model name.
    public static func validateModel(_ name: String) throws {
        if let problem = problem(name, extra: ["-", "."]) {
            throw RegistryError.invalid("invalid model name '\(name)': \(problem)")
        }
    }

    /// Throws when `alias` is not a valid alias name (or is the reserved `latest`).
    public static func validateAlias(_ alias: String) throws {
        if let problem = problem(alias, extra: ["-"]) {
            throw RegistryError.invalid("invalid alias '\(alias)': \(problem)")
        }
        if alias == latest {
            throw RegistryError.invalid("invalid alias 'latest': it is reserved for the newest version (NAME@latest)")
        }
    }

    /// Throws when `key` cannot be a metric, param or tag key (`what` names which).
    public static func validateKey(_ key: String, what: String) throws {
        if key.isEmpty { throw RegistryError.invalid("empty \(what) name") }
        if key.count > maxLength {
            throw RegistryError.invalid("invalid \(what) name '\(key)': names are at most \(maxLength) characters")
        }
        if let bad = key.unicodeScalars.first(where: { "=<>!,".unicodeScalars.contains($0) || $0.properties.isWhitespace }) {
            let shown = bad.properties.isWhitespace ? "whitespace" : "'\(bad)'"
            throw RegistryError.invalid("invalid \(what) name '\(key)': it cannot contain \(shown)")
        }
    }

    /// What is wrong with `name` under the identifier rule plus `extra`
    /// characters after the first, or nil.
    static func problem(_ name: String, extra: Set<Unicode.Scalar>) -> String? {
        guard let first = name.unicodeScalars.first else { return "a name cannot be empty" }
        guard name.unicodeScalars.count <= maxLength else { return "names are at most \(maxLength) characters" }
        func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" }
        guard isLetter(first) else { return "a name starts with a letter or '_'" }
        guard name.unicodeScalars.allSatisfy({ isLetter($0) || ("0"..."9").contains($0) || extra.contains($0) }) else {
            let symbols = (["_"] + extra.sorted()).map { "'\($0)'" }
            return "a name has only letters, digits, " + symbols.dropLast().joined(separator: ", ") + " and " + symbols.last!
        }
        return nil
    }
}

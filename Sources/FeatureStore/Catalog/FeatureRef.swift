/// A reference to one feature, or to all features, of a feature table,
/// optionally pinned to a schema version (SPEC 2):
///
/// | written | means |
/// | --- | --- |
/// | `user_stats:age` | feature `age` of the table's current version |
/// | `user_stats:*` | every feature of the current version, in declaration order |
/// | `user_stats@2:age` | feature `age` as declared in version 2 |
/// | `user_stats@2:*` | every feature of version 2 |
///
/// ```swift
/// let ref = try FeatureRef(parsing: "user_stats@2:age")
/// ref.table       // "user_stats"
/// ref.version     // 2
/// ref.selection   // .feature("age")
/// ```
public struct FeatureRef: Hashable, Sendable, CustomStringConvertible {
    /// Which features of the table a ref names.
    public enum Selection: Hashable, Sendable {
        /// One feature, by name.
        case feature(String)
        /// `*`: every feature of the version, in declaration order.
        case all
    }

    /// The feature table's name.
    public var table: String
    /// The pinned schema version, or nil for the current one.
    public var version: Int?
    /// The feature, or all of them.
    public var selection: Selection

    /// Makes a ref from its parts.
    public init(table: String, version: Int? = nil, selection: Selection) {
        self.table = table
        self.version = version
        self.selection = selection
    }

    /// Parses `table:feature`, `table:*`, `table@N:feature` or `table@N:*`.
    ///
    /// Errors name the ref (`feature ref 'user_stats': expected 'table:feature'
    /// or 'table:*'`) and carry no location; callers that know one add it.
    public init(parsing text: String) throws(CatalogError) {
        let object = "feature ref '\(text)'"
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            let message = text.isEmpty ? "empty feature ref; expected 'table:feature' or 'table:*'"
                : "expected 'table:feature', 'table:*', 'table@N:feature' or 'table@N:*'"
            throw CatalogError(object: text.isEmpty ? nil : object, message)
        }
        var tablePart = String(parts[0])
        let featurePart = String(parts[1])
        var version: Int?
        if let at = tablePart.firstIndex(of: "@") {
            let digits = tablePart[tablePart.index(after: at)...]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int(digits), n > 0 else {
                throw CatalogError(object: object,
                                   "invalid version '\(digits)': expected a positive integer, as in 'table@2:feature'")
            }
            version = n
            tablePart = String(tablePart[..<at])
        }
        guard !tablePart.isEmpty else { throw CatalogError(object: object, "missing table name before ':'") }
        try CatalogName.validate(tablePart, what: "table name", at: nil, object: object)
        let selection: Selection
        switch featurePart {
        case "": throw CatalogError(object: object, "missing feature name after ':' (write 'table:*' for all features)")
        case "*": selection = .all
        default:
            try CatalogName.validate(featurePart, what: "feature name", at: nil, object: object)
            selection = .feature(featurePart)
        }
        self.init(table: tablePart, version: version, selection: selection)
    }

    /// The ref as written: `user_stats@2:age`.
    public var description: String {
        let pin = version.map { "@\($0)" } ?? ""
        switch selection {
        case .feature(let name): return "\(table)\(pin):\(name)"
        case .all: return "\(table)\(pin):*"
        }
    }

    /// Splits the values of a repeatable, comma-separated REFS option (SPEC 4)
    /// into single refs, in order; spaces around a ref and empty pieces (a
    /// trailing comma) are dropped. Refs are not parsed here.
    ///
    /// ```swift
    /// FeatureRef.splitList(["a:x,b:*", "c@2:y"])   // ["a:x", "b:*", "c@2:y"]
    /// ```
    public static func splitList(_ options: [String]) -> [String] {
        options.flatMap { option in
            option.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        }
    }
}

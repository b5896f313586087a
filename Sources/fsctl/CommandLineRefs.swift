import FeatureStore

/// Feature refs typed on the command line (`--features a:b,c:*`, repeatable).
enum CommandLineRefs {
    /// The refs of `values` (comma-separated, repeatable), each checked for
    /// its syntax first: a malformed one (`user_stats`, `t@0:a`) is a usage
    /// error (exit 2, SPEC 4) with the library's message; whether it names a
    /// table and a feature that exist is checked later, against the catalog
    /// (exit 1).
    static func parse(_ values: [String]) throws -> [String] {
        let refs = FeatureRef.splitList(values)
        for ref in refs { _ = try UsageError.parsing { try FeatureRef(parsing: ref) } }
        return refs
    }
}

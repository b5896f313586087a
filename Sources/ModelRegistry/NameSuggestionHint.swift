import FeatureStore

/// "Did you mean …?" hints, with the store's distance rule.
enum NameSuggestionHint {
    /// ` (did you mean 'x'?)` or the empty string.
    static func hint(_ word: String, _ candidates: [String]) -> String {
        NameSuggestion.hint(for: word, among: candidates)
    }

    /// `; its <noun>s are a, b, c` (or `; it has no <noun>s`), for "unknown"
    /// errors that have no close candidate.
    static func known(_ noun: String, _ candidates: [String], owner: String = "it") -> String {
        let nouns = noun.hasSuffix("s") ? noun + "es" : noun + "s"
        if candidates.isEmpty { return "; \(owner) has no \(nouns)" }
        if candidates.count == 1 { return "; its only \(noun) is \(candidates[0])" }
        return "; its \(nouns) are \(candidates.joined(separator: ", "))"
    }
}

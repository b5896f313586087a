/// "Did you mean …?" hints for front ends (fsctl), with the same distance
/// rule the library's own errors use.
///
/// ```swift
/// NameSuggestion.hint(for: "user_stat", among: ["user_stats"])  // " (did you mean 'user_stats'?)"
/// ```
public enum NameSuggestion {
    /// The closest candidate if it is a likely typo of `word`, else nil.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        Suggestion.closest(to: word, among: candidates)
    }

    /// ` (did you mean 'x'?)`, or the empty string when nothing is close.
    public static func hint(for word: String, among candidates: [String]) -> String {
        Suggestion.hint(for: word, among: candidates)
    }
}

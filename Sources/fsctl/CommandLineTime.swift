import Tabular

/// Timestamps typed on the command line (SPEC 4): ISO-8601, no zone = UTC.
enum CommandLineTime {
    /// Parses `text` for the option or argument `what` (`--at`, `START`); a
    /// bad value is a usage error: `--at: cannot parse "2025-13-01" as an
    /// ISO-8601 timestamp`.
    static func parse(_ text: String, what: String) throws -> Int64 {
        guard let micros = Timestamp.parse(text) else {
            throw UsageError("\(what): cannot parse \"\(text)\" as an ISO-8601 timestamp")
        }
        return micros
    }

    /// `--tables a,b --tables c` → `["a", "b", "c"]`, or nil when not given.
    static func tableList(_ values: [String]) -> [String]? {
        let names = values.flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
        return names.isEmpty ? nil : names
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}

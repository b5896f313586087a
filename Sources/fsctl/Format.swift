import Tabular

/// Human-readable numbers, durations and rates for text output.
enum Format {
    /// `0.8 s`, `12.3 s`, `2 m 05 s`.
    static func seconds(_ s: Double) -> String {
        if s < 60 { return "\(oneDecimal(s)) s" }
        let total = Int(s.rounded())
        let sec = total % 60
        return "\(total / 60) m \(sec < 10 ? "0" : "")\(sec) s"
    }

    /// `950`, `83k`, `8.3k`, `1.2M`.
    static func compact(_ x: Double) -> String {
        guard x.isFinite, x >= 0 else { return "0" }
        if x < 1000 { return String(Int(x.rounded())) }
        if x < 10_000 { return oneDecimal(x / 1000) + "k" }
        if x < 1_000_000 { return String(Int((x / 1000).rounded())) + "k" }
        if x < 10_000_000 { return oneDecimal(x / 1_000_000) + "M" }
        return String(Int((x / 1_000_000).rounded())) + "M"
    }

    /// `1.2` (one decimal, no Foundation formatting).
    static func oneDecimal(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// `1,234,567`.
    static func thousands(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// `83k rows/s` for `count` things in `elapsed` seconds.
    static func rate(_ count: Int, _ elapsed: Double, unit: String) -> String {
        guard elapsed > 0 else { return "- \(unit)/s" }
        return "\(compact(Double(count) / elapsed)) \(unit)/s"
    }

    /// ISO-8601 for UTC microseconds, or `-` for nil.
    static func timestamp(_ micros: Int64?) -> String {
        micros.map(Timestamp.format) ?? "-"
    }

    /// `1 row`, `2 rows`.
    static func plural(_ n: Int, _ word: String) -> String {
        if n == 1 { return "\(thousands(n)) \(word)" }
        if word.hasSuffix("y") { return "\(thousands(n)) \(word.dropLast())ies" }
        let suffix = word.hasSuffix("ch") || word.hasSuffix("s") ? "es" : "s"
        return "\(thousands(n)) \(word)\(suffix)"
    }
}

/// A plain text table: a header row and left-aligned columns separated by two
/// spaces, trailing spaces trimmed.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        var text = ""
        for row in all {
            var line = ""
            for (i, cell) in row.enumerated() {
                line += cell
                if i < row.count - 1 { line += String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            while line.last == " " { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}

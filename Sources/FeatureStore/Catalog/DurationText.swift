/// Durations as written in definitions files (`ttl: 2d`), to and from
/// microseconds.
///
/// A duration is `0`, a whole number of seconds (`86400`), or one or more
/// number-and-unit parts with units `s`, `m`, `h`, `d`, `w` (`30s`, `15m`,
/// `2h`, `2d`, `1w`, `1h30m`). No fractions, no signs, no spaces inside.
///
/// ```swift
/// try DurationText.micros(parsing: "2d")     // 172_800_000_000
/// DurationText.format(micros: 5_400_000_000)  // "1h30m"
/// ```
public enum DurationText {
    /// Why a duration did not parse.
    public enum Problem: Error, Equatable, Sendable {
        /// Nothing was written.
        case empty
        /// A minus sign: durations cannot be negative.
        case negative
        /// Not digits followed by a unit.
        case malformed
        /// A unit other than `s`, `m`, `h`, `d`, `w`.
        case unknownUnit(String)
        /// Larger than an Int64 of microseconds holds (about 292,000 years).
        case overflow
    }

    /// Microseconds per second, minute, hour, day and week, in the order the
    /// formatter tries them (largest first).
    static let units: [(suffix: Character, micros: Int64)] = [
        ("w", 604_800_000_000), ("d", 86_400_000_000), ("h", 3_600_000_000),
        ("m", 60_000_000), ("s", 1_000_000),
    ]

    /// Parses `text` into microseconds; see the type's documentation for the
    /// syntax. Leading and trailing spaces are ignored.
    public static func micros(parsing text: String) throws(Problem) -> Int64 {
        let text = text.trimmingSpaces()
        guard !text.isEmpty else { throw .empty }
        if text.hasPrefix("-") { throw .negative }
        var total: Int64 = 0
        var number: Int64?
        var sawUnit = false
        for ch in text {
            if let digit = ch.wholeNumberValue, ch.isASCII {
                let (times10, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
                guard !o1, !o2 else { throw .overflow }
                number = sum
            } else if ch.isLetter {
                guard let n = number else { throw .malformed }
                guard let unit = units.first(where: { $0.suffix == ch }) else {
                    throw .unknownUnit(String(ch))
                }
                let (part, o1) = n.multipliedReportingOverflow(by: unit.micros)
                let (sum, o2) = total.addingReportingOverflow(part)
                guard !o1, !o2 else { throw .overflow }
                total = sum
                number = nil
                sawUnit = true
            } else {
                throw .malformed
            }
        }
        if let n = number {
            // Trailing digits with no unit: seconds, allowed only on their own.
            guard !sawUnit else { throw .malformed }
            let (part, o) = n.multipliedReportingOverflow(by: 1_000_000)
            guard !o else { throw .overflow }
            total = part
        }
        return total
    }

    /// Formats microseconds the way a user would write them: `0`, `2d`, `1w`,
    /// `1h30m`. Sub-second remainders are written as `…us` so nothing is lost.
    public static func format(micros: Int64) -> String {
        guard micros != 0 else { return "0" }
        if micros < 0 { return "-" + format(micros: micros == .min ? .max : -micros) }
        var rest = micros
        var text = ""
        for unit in units where rest >= unit.micros {
            text += "\(rest / unit.micros)\(unit.suffix)"
            rest %= unit.micros
        }
        if rest > 0 { text += "\(rest)us" }
        return text
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (no Foundation).
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}

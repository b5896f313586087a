/// ISO-8601 timestamps as UTC microseconds since the Unix epoch.
///
/// Accepted: `2025-11-15`, `2025-11-15T01:00`, `2025-11-15T01:00:00Z`,
/// `2025-11-15 01:00:00.123456+02:00`, `…+0200`, `…+02`; a fraction of up to 9
/// digits (truncated to microseconds); no zone means UTC. Written as
/// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, the fraction only when it is not zero.
///
/// ```swift
/// Timestamp.parse("2025-11-15T01:00:00Z")   // 1763168400000000
/// Timestamp.format(1763168400000000)        // "2025-11-15T01:00:00Z"
/// ```
public enum Timestamp {
    /// Microseconds in one second.
    public static let microsPerSecond: Int64 = 1_000_000

    /// Parses ISO-8601 text; nil when it is not a valid timestamp.
    public static func parse(_ text: some StringProtocol) -> Int64? {
        var s = String(text)
        return s.withUTF8 { parse(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Parses ISO-8601 from raw UTF-8 bytes (the readers' zero-copy path).
    public static func parse(utf8 p: UnsafeRawBufferPointer) -> Int64? {
        if let v = parseCanonical(p) { return v }
        return parseGeneral(p)
    }

    /// The fast path for `YYYY-MM-DDTHH:MM:SS[.f…]` with `Z` or no zone (what
    /// exports and most writers produce): fixed positions, no loops over
    /// separators. Anything else returns nil and goes to the general parser.
    @inline(__always)
    static func parseCanonical(_ p: UnsafeRawBufferPointer) -> Int64? {
        let n = p.count
        guard n >= 19, let base = p.baseAddress else { return nil }
        let b = base.assumingMemoryBound(to: UInt8.self)
        guard b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 32, b[13] == 58, b[16] == 58 else { return nil }
        var bad: UInt8 = 0
        @inline(__always) func d(_ k: Int) -> Int {
            let v = b[k] &- 48
            bad |= v > 9 ? 1 : 0
            return Int(v)
        }
        let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)
        let month = d(5) * 10 + d(6)
        let day = d(8) * 10 + d(9)
        let hour = d(11) * 10 + d(12)
        let minute = d(14) * 10 + d(15)
        let second = d(17) * 10 + d(18)
        guard bad == 0, month >= 1, month <= 12, day >= 1, day <= daysInMonth(year, month),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        var end = n
        if b[end - 1] == 90 { end -= 1 }  // Z
        var micros = 0
        if end > 19 {
            guard b[19] == 46 else { return nil }  // .
            let count = end - 20
            guard count >= 1, count <= 9 else { return nil }
            for k in 20..<end {
                let v = b[k] &- 48
                guard v <= 9 else { return nil }
                if k < 26 { micros = micros * 10 + Int(v) }
            }
            var scale = count
            while scale < 6 { micros *= 10; scale += 1 }
        } else if end != 19 {
            return nil
        }
        let days = Int64(daysFromCivil(year, month, day))
        return (days * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * microsPerSecond + Int64(micros)
    }

    static func parseGeneral(_ p: UnsafeRawBufferPointer) -> Int64? {
        let n = p.count
        var i = 0
        @inline(__always) func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for k in 0..<count {
                let c = p[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += count
            return v
        }
        @inline(__always) func expect(_ c: UInt8) -> Bool {
            guard i < n, p[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2) else { return nil }
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year, month) else { return nil }
        var hour = 0, minute = 0, second = 0, micros = 0
        if i < n, p[i] == 84 || p[i] == 116 || p[i] == 32 {  // T, t, space
            i += 1
            guard let h = digits(2), expect(58), let m = digits(2) else { return nil }
            hour = h; minute = m
            if i < n, p[i] == 58 {
                i += 1
                guard let sec = digits(2) else { return nil }
                second = sec
                if i < n, p[i] == 46 || p[i] == 44 {  // . or ,
                    i += 1
                    var count = 0
                    while i < n, p[i] >= 48, p[i] <= 57 {
                        if count < 6 { micros = micros * 10 + Int(p[i] - 48) }
                        count += 1; i += 1
                    }
                    guard count >= 1, count <= 9 else { return nil }
                    var scale = count
                    while scale < 6 { micros *= 10; scale += 1 }
                }
            }
            guard hour <= 23, minute <= 59, second <= 60 else { return nil }
        }
        var offsetSeconds = 0
        if i < n {
            let c = p[i]
            if c == 90 || c == 122 {  // Z z
                i += 1
            } else if c == 43 || c == 45 {  // + -
                i += 1
                guard let oh = digits(2) else { return nil }
                var om = 0
                if i < n {
                    if p[i] == 58 { i += 1 }
                    guard let m = digits(2) else { return nil }
                    om = m
                }
                guard oh <= 23, om <= 59 else { return nil }
                offsetSeconds = (oh * 3600 + om * 60) * (c == 43 ? 1 : -1)
            } else {
                return nil
            }
        }
        guard i == n else { return nil }
        let days = Int64(daysFromCivil(year, month, day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return seconds * microsPerSecond + Int64(micros)
    }

    /// Formats UTC microseconds as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.
    public static func format(_ micros: Int64) -> String {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { format(micros, into: $0) }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// Writes the formatted timestamp into `out` (at least 27 bytes) and
    /// returns the number of bytes written. No allocation.
    @discardableResult
    public static func format(_ micros: Int64, into out: UnsafeMutableRawBufferPointer) -> Int {
        var seconds = micros / microsPerSecond
        var fraction = micros % microsPerSecond
        if fraction < 0 { fraction += microsPerSecond; seconds -= 1 }
        var days = seconds / 86_400
        var secOfDay = seconds % 86_400
        if secOfDay < 0 { secOfDay += 86_400; days -= 1 }
        let (y, m, d) = civilFromDays(Int(days))
        var i = 0
        @inline(__always) func put(_ v: Int, _ width: Int) {
            var x = v
            var k = width - 1
            while k >= 0 { out[i + k] = UInt8(48 + x % 10); x /= 10; k -= 1 }
            i += width
        }
        @inline(__always) func char(_ c: UInt8) { out[i] = c; i += 1 }
        if y < 0 || y > 9999 {
            // Out of ISO range: still unambiguous, with a sign and more digits.
            let text = Array((y < 0 ? "-" : "+").utf8) + Array(String(abs(y)).utf8)
            for c in text { char(c) }
        } else {
            put(y, 4)
        }
        char(45); put(m, 2); char(45); put(d, 2); char(84)
        put(Int(secOfDay / 3600), 2); char(58); put(Int(secOfDay % 3600 / 60), 2); char(58); put(Int(secOfDay % 60), 2)
        if fraction != 0 { char(46); put(Int(fraction), 6) }
        char(90)
        return i
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of a day number since 1970-01-01.
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

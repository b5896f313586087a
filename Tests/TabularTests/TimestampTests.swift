import Testing
import Tabular
import TestSupport

@Suite struct TimestampTests {
    static let day: Int64 = 86_400_000_000

    @Test func fixedCases() {
        let cases: [(String, Int64?)] = [
            ("1970-01-01T00:00:00Z", 0),
            ("1970-01-01", 0),
            ("2025-11-15T01:00:00Z", 1_763_168_400_000_000),
            ("2025-11-15T01:00Z", 1_763_168_400_000_000),
            ("2025-11-15 01:00:00", 1_763_168_400_000_000),
            ("2025-11-15t01:00:00z", 1_763_168_400_000_000),
            ("2025-11-15T03:00:00+02:00", 1_763_168_400_000_000),
            ("2025-11-15T03:00:00+0200", 1_763_168_400_000_000),
            ("2025-11-15T03:00:00+02", 1_763_168_400_000_000),
            ("2025-11-14T19:30:00-05:30", 1_763_168_400_000_000),
            ("1969-12-31T23:59:59Z", -1_000_000),
            ("1969-12-31T23:59:59.5Z", -500_000),
            ("1969-12-31T23:59:59.999999Z", -1),
            ("0001-01-01T00:00:00Z", -62_135_596_800_000_000),
            ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
            ("2024-02-29", 1_709_164_800_000_000),
            ("2000-02-29", 951_782_400_000_000),
            ("2023-02-29", nil), ("1900-02-29", nil), ("2025-02-30", nil), ("2025-04-31", nil),
            ("2025-13-01", nil), ("2025-00-10", nil), ("2025-01-00", nil),
            ("2025-11-15T24:00:00Z", nil), ("2025-11-15T01:60", nil), ("2025-11-15T01:00:61", nil),
            ("2025-11-15T", nil), ("2025-11-15T01", nil), ("2025-11-15T01:00:00+", nil), ("2025-11-15T01:00:00+24:00", nil),
            ("2025-11-15T01:00:00.Z", nil), ("2025-11-15T01:00:00.1234567890Z", nil), ("2025-11-15T01:00:00Z ", nil),
            ("2025-02-30T00:00:00Z", nil), ("2025-11-15T01:00:0xZ", nil), ("2025-11-15T01:00:00ZZ", nil),
            ("2025-11-15T01:00:00.5", 1_763_168_400_500_000), ("2025-11-15T01:00:00.000001", 1_763_168_400_000_001),
            ("2025-11-15T01:00:00.5x", nil), ("2025-11-15X01:00:00Z", nil), ("2025-11-15T01:00:00 ", nil),
            ("25-11-15", nil), ("2025-1-05", nil), ("", nil), ("1763168400", nil), ("2025/11/15", nil),
        ]
        for (text, expected) in cases {
            #expect(Timestamp.parse(text) == expected, "\(text)")
        }
    }

    @Test func fractionsOfOneToNineDigits() {
        let base: Int64 = 1_763_168_400_000_000
        let expected: [Int64] = [100_000, 120_000, 123_000, 123_400, 123_450, 123_456, 123_456, 123_456, 123_456]
        for digits in 1...9 {
            let fraction = String("123456789".prefix(digits))
            #expect(Timestamp.parse("2025-11-15T01:00:00.\(fraction)Z") == base + expected[digits - 1], "\(digits) digits")
            #expect(Timestamp.parse("2025-11-15T01:00:00,\(fraction)") == base + expected[digits - 1])
        }
    }

    @Test func formatting() {
        #expect(Timestamp.format(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(-1) == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp.format(1_763_168_400_000_001) == "2025-11-15T01:00:00.000001Z")
        #expect(Timestamp.format(1_709_164_800_000_000) == "2024-02-29T00:00:00Z")
        #expect(Timestamp.format(-62_135_596_800_000_000) == "0001-01-01T00:00:00Z")
    }

    /// Days since 1970 by counting, as an independent reference.
    static func naiveDays(_ y: Int, _ m: Int, _ d: Int) -> Int {
        func leap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
        let monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var days = 0
        if y >= 1970 { for year in 1970..<y { days += leap(year) ? 366 : 365 } }
        else { for year in y..<1970 { days -= leap(year) ? 366 : 365 } }
        for month in 1..<m { days += monthDays[month - 1] + (month == 2 && leap(y) ? 1 : 0) }
        return days + d - 1
    }

    @Test func randomComponentsAgainstNaiveReference() {
        var g = SeededRandom(seed: 42)
        func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        for _ in 0..<2000 {
            let y = Int.random(in: 1800...2200, using: &g), m = Int.random(in: 1...12, using: &g)
            let d = Int.random(in: 1...28, using: &g), h = Int.random(in: 0...23, using: &g)
            let mi = Int.random(in: 0...59, using: &g), s = Int.random(in: 0...59, using: &g)
            let micros = Int.random(in: 0..<1_000_000, using: &g)
            let oh = Int.random(in: 0...14, using: &g), om = [0, 30, 45][Int.random(in: 0...2, using: &g)]
            let sign = Bool.random(using: &g) ? 1 : -1
            let text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(micros, 6))"
                + (sign > 0 ? "+" : "-") + "\(pad(oh, 2)):\(pad(om, 2))"
            let seconds = Int64(Self.naiveDays(y, m, d)) * 86_400 + Int64(h * 3600 + mi * 60 + s) - Int64(sign * (oh * 3600 + om * 60))
            #expect(Timestamp.parse(text) == seconds * 1_000_000 + Int64(micros), "\(text)")
        }
    }

    @Test func randomFormatParseRoundTrip() {
        var g = SeededRandom(seed: 7)
        for _ in 0..<5000 {
            let micros = Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &g)
            let text = Timestamp.format(micros)
            #expect(Timestamp.parse(text) == micros, "\(text)")
        }
    }
}

import Testing
@testable import FeatureStore

@Suite struct CatalogDurationTests {
    let second: Int64 = 1_000_000

    @Test func parses() throws {
        #expect(try DurationText.micros(parsing: "0") == 0)
        #expect(try DurationText.micros(parsing: "0s") == 0)
        #expect(try DurationText.micros(parsing: "45") == 45 * second)
        #expect(try DurationText.micros(parsing: " 30s ") == 30 * second)
        #expect(try DurationText.micros(parsing: "1w2d3h4m5s") == (7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5) * second)
    }

    @Test func rejects() {
        func problem(_ text: String) -> DurationText.Problem? {
            do { _ = try DurationText.micros(parsing: text); return nil } catch { return error }
        }
        #expect(problem("") == .empty)
        #expect(problem("-1s") == .negative)
        #expect(problem("1.5h") == .malformed)
        #expect(problem("h") == .malformed)
        #expect(problem("1h 2m") == .malformed)
        #expect(problem("1h2") == .malformed)
        #expect(problem("3y") == .unknownUnit("y"))
        #expect(problem("1ms") == .unknownUnit("s") || problem("1ms") == .malformed)
        #expect(problem("20000000000000000000") == .overflow)
        #expect(problem("999999999999999d") == .overflow)
    }

    @Test func formatsAndRoundTrips() throws {
        #expect(DurationText.format(micros: 0) == "0")
        #expect(DurationText.format(micros: 86_400 * second) == "1d")
        #expect(DurationText.format(micros: 2 * 86_400 * second) == "2d")
        #expect(DurationText.format(micros: 14 * 86_400 * second) == "2w")
        #expect(DurationText.format(micros: 5400 * second) == "1h30m")
        #expect(DurationText.format(micros: 1_500_000) == "1s500000us")
        for text in ["30s", "15m", "2h", "2d", "1w", "1w1d1h1m1s"] {
            #expect(DurationText.format(micros: try DurationText.micros(parsing: text)) == text)
        }
    }

    @Test func suggestions() {
        #expect(Suggestion.distance("flaot64", "float64") == 1)
        #expect(Suggestion.distance("", "abc") == 3)
        #expect(Suggestion.closest(to: "flaot64", among: ["float32", "float64", "int64"]) == "float64")
        #expect(Suggestion.closest(to: "zzz", among: ["ttl", "tags"]) == nil)
    }
}

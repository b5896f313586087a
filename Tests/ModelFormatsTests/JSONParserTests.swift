import Testing
@testable import ModelFormats

/// The model-file JSON parser: values, escapes, number text kept verbatim,
/// and errors with line and column.
@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8), format: .linearJSON) }

    @Test func valuesAndEscapes() throws {
        let v = try parse(#" {"a": [1, -2.5E-3, true, false, null], "s": "x\"\\\/\n\u00e9\ud83d\ude00", "e": {}} "#)
        let c = JSONCursor(v, path: "", format: .linearJSON)
        let a = try c["a"].array()
        #expect(a.count == 5)
        #expect(try a[0].int() == 1)
        #expect(try a[1].double() == -2.5e-3)
        guard case .number(let text) = a[1].value else { Issue.record("not a number"); return }
        #expect(text == "-2.5E-3")
        #expect(try c["s"].string() == "x\"\\/\n\u{e9}\u{1F600}")
        guard case .object(let e) = try c["e"].value else { Issue.record("not an object"); return }
        #expect(e.isEmpty)
    }

    @Test func floatsParseFromTheirText() throws {
        // 16777217 is not a float32: direct Float parsing rounds it to even (16777216).
        let c = JSONCursor(try parse("[16777217, 0.1, 1e-45]"), path: "", format: .xgboostJSON)
        #expect(try c.floats() == [16_777_216, 0.1 as Float, Float.leastNonzeroMagnitude])
    }

    @Test func flagsAreIntegersOrBooleans() throws {
        let c = JSONCursor(try parse("[0, 1, true, false]"), path: "f", format: .xgboostJSON)
        #expect(try c.flags() == [false, true, true, false])
        #expect(throws: ModelFormatError(.xgboostJSON, at: "f[0]", "expected 0, 1, true or false, found a number")) {
            try JSONCursor(try parse("[2]"), path: "f", format: .xgboostJSON).flags()
        }
    }

    @Test func errorsNameLineAndColumn() {
        let cases: [(String, String)] = [
            ("{\"a\": 1,\n \"b\": }", "line 2 column 7"),
            ("[1, 2", "truncated"),
            ("{\"a\": 1} x", "after the end"),
            ("{\"a\": 1, \"a\": 2}", "duplicate key \"a\""),
            ("[01x]", "expected ',' or ']'"),
            ("\"abc", "inside a string"),
            ("[1.]", "digits after '.'"),
            ("tru", "literal"),
            (String(repeating: "[", count: 600), "nesting deeper"),
        ]
        for (text, message) in cases {
            do {
                _ = try parse(text)
                Issue.record("\(text.prefix(20)) parsed")
            } catch let e as ModelFormatError {
                #expect(e.description.contains(message), "\(text.prefix(20)): \(e.description)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func cursorErrorsNameThePath() throws {
        let c = JSONCursor(try parse(#"{"m": {"k": ["1", 2]}}"#), path: "", format: .linearJSON)
        #expect(throws: ModelFormatError(.linearJSON, at: "m.k[0]", "expected a number, found a string")) {
            try c["m"]["k"].doubles()
        }
        #expect(throws: ModelFormatError(.linearJSON, at: "m", "missing key \"q\"")) { try c["m"]["q"] }
    }
}

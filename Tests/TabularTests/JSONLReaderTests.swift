import Testing
import Tabular

@Suite struct JSONLReaderTests {
    static let schema = [Field("b", .bool), Field("i32", .int32), Field("i64", .int64), Field("f32", .float32),
                         Field("f64", .float64), Field("s", .string), Field("by", .bytes), Field("ts", .timestamp),
                         Field("v", .float32Vector(2))]

    @Test func readsEveryType() throws {
        let text = #"""
        {"b": true, "i32": -7, "i64": 9223372036854775807, "f32": 0.1, "f64": -2.5e-3, "s": "hello", "by": "Zm9v", "ts": "2025-11-15T01:00:00Z", "v": [0.5, -1]}
        {"v":[1,2],"ts":"1970-01-01T00:00:00.000001Z","by":"","s":"","f64":3,"f32":-0,"i64":-9223372036854775808,"i32":2147483647,"b":false}
          {"b": null, "i32": null, "i64": null, "f32": null, "f64": null, "s": null, "by": null, "ts": null, "v": null}  
        {}
        """#
        let r = try readAll(text + "\n", format: .jsonl, schema: Self.schema)
        #expect(r.lines == [1, 2, 3, 4])
        #expect(r.rows[0] == [.bool(true), .int32(-7), .int64(.max), .float32(0.1), .float64(-2.5e-3), .string("hello"),
                              .bytes(Array("foo".utf8)), .timestamp(1_763_168_400_000_000), .vector([0.5, -1])])
        #expect(r.rows[1] == [.bool(false), .int32(.max), .int64(.min), .float32(-0.0), .float64(3), .string(""),
                              .bytes([]), .timestamp(1), .vector([1, 2])])
        #expect(r.rows[2] == Array(repeating: nil, count: 9))
        #expect(r.rows[3] == Array(repeating: nil, count: 9))
    }

    @Test func stringEscapes() throws {
        let text = #"{"s": "q\" b\\ s\/ \b\f\n\r\t \u00e9 \u20AC \ud834\udd1e é"}"# + "\n"
        let r = try readAll(text, format: .jsonl, schema: [Field("s", .string)])
        #expect(r.rows == [[.string("q\" b\\ s/ \u{8}\u{C}\n\r\t é € 𝄞 é")]])
        let key = try readAll(#"{"n\u0061me": "x"}"#, format: .jsonl, schema: [Field("name", .string)])
        #expect(key.rows == [[.string("x")]])
    }

    @Test func blankLinesCRLFAndNoFinalNewline() throws {
        let text = "\u{FEFF}{\"n\": 1}\r\n\r\n   \n{\"n\": 2}\n\n{\"n\": 3}"
        let r = try readAll(text, format: .jsonl, schema: [Field("n", .int64)])
        #expect(r.rows == [[.int64(1)], [.int64(2)], [.int64(3)]])
        #expect(r.lines == [1, 4, 6])
    }

    @Test func unknownKeysAreErrorsUnlessIgnored() throws {
        let text = #"{"n": 1, "extra": {"deep": [1, {"x": "]"}]}, "more": "s", "m2": [true, null]}"# + "\n"
        #expect(readError(text, format: .jsonl, schema: [Field("n", .int64)]) == "events.jsonl:1: unknown column 'extra'")
        let r = try readAll(text, format: .jsonl, schema: [Field("n", .int64)], options: ReadOptions(ignoreUnknownColumns: true))
        #expect(r.rows == [[.int64(1)]])
    }

    @Test func batchesAndChunkSplits() throws {
        let text = (1...10).map { #"{"id": \#($0), "s": "x\"\#($0)", "v": [\#($0), 0.5]}"# }.joined(separator: "\n")
        let schema = [Field("id", .int64), Field("s", .string), Field("v", .float32Vector(2))]
        let whole = try readAll(text, format: .jsonl, schema: schema)
        #expect(whole.rows.count == 10)
        for batchSize in [1, 2, 3] {
            for chunk in [1, 7, 100] {
                let r = try readAll(text, format: .jsonl, schema: schema, options: ReadOptions(batchSize: batchSize), chunkSize: chunk)
                #expect(r.rows == whole.rows)
                #expect(r.lines == Array(1...10))
                #expect(r.batches.map(\.rowCount) == stride(from: 0, to: 10, by: batchSize).map { min(batchSize, 10 - $0) })
            }
        }
    }

    @Test func valueErrors() {
        let cases: [(DataType, String, String)] = [
            (.float64, #""abc""#, #"events.jsonl:2: column 'x': cannot parse "abc" as float64"#),
            (.float64, "true", "events.jsonl:2: column 'x': cannot parse true as float64"),
            (.int64, "1.5", "events.jsonl:2: column 'x': cannot parse 1.5 as int64"),
            (.int64, "3.0", "events.jsonl:2: column 'x': cannot parse 3.0 as int64"),
            (.int64, "1e3", "events.jsonl:2: column 'x': cannot parse 1e3 as int64"),
            (.int64, #""12""#, #"events.jsonl:2: column 'x': cannot parse "12" as int64"#),
            (.int64, "99999999999999999999", "events.jsonl:2: column 'x': cannot parse 99999999999999999999 as int64: out of range"),
            (.int32, "-2147483649", "events.jsonl:2: column 'x': cannot parse -2147483649 as int32: out of range"),
            (.bool, "1", "events.jsonl:2: column 'x': cannot parse 1 as bool"),
            (.bool, #""true""#, #"events.jsonl:2: column 'x': cannot parse "true" as bool"#),
            (.string, "12", "events.jsonl:2: column 'x': cannot parse 12 as string"),
            (.string, #"{"a": 1}"#, #"events.jsonl:2: column 'x': cannot parse {"a": 1} as string"#),
            (.timestamp, #""2025-13-01""#, #"events.jsonl:2: column 'x': cannot parse "2025-13-01" as timestamp"#),
            (.timestamp, "1763168400", "events.jsonl:2: column 'x': cannot parse 1763168400 as timestamp"),
            (.bytes, #""Zm9v=""#, #"events.jsonl:2: column 'x': cannot parse "Zm9v=" as bytes: invalid base64"#),
            (.float32Vector(3), "[1, 2]", "events.jsonl:2: column 'x': cannot parse [1, 2] as float32[3]: expected 3 numbers, got 2"),
            (.float32Vector(2), "[1, null]", "events.jsonl:2: column 'x': cannot parse [1, null] as float32[2]"),
            (.float32Vector(2), #""[1, 2]""#, #"events.jsonl:2: column 'x': cannot parse "[1, 2]" as float32[2]"#),
            (.float64, #""a\"b""#, #"events.jsonl:2: column 'x': cannot parse "a\"b" as float64"#),
        ]
        for (type, value, message) in cases {
            let text = "{\"x\": null}\n{\"x\": \(value)}\n"
            #expect(readError(text, format: .jsonl, schema: [Field("x", type)]) == message)
        }
        let bad: [UInt8] = Array("{\"s\": \"a".utf8) + [0xFF] + Array("\"}\n".utf8)
        let e = failure { () throws(TabularError) in _ = try readAll(bytes: bad, format: .jsonl, schema: [Field("s", .string)]) }
        #expect(e?.reason == "column 's': cannot parse \"a\u{FFFD}\" as string: invalid UTF-8")
    }

    @Test func syntaxErrors() {
        let cases: [(String, String)] = [
            ("[1]", "events.jsonl:1: invalid JSON at position 1: expected '{'"),
            (#"{"x" 1}"#, "events.jsonl:1: invalid JSON at position 6: expected ':'"),
            (#"{"x": "a""#, "events.jsonl:1: invalid JSON at position 10: expected ',' or '}'"),
            (#"{"x": "a",}"#, "events.jsonl:1: invalid JSON at position 11: expected a key"),
            (#"{"x": "a"} x"#, "events.jsonl:1: invalid JSON at position 12: unexpected text after the object"),
            (#"{"x": tru}"#, "events.jsonl:1: invalid JSON at position 7: expected a value"),
            (#"{"x": 01}"#, "events.jsonl:1: invalid JSON at position 7: invalid number"),
            (#"{"x": "abc}"#, "events.jsonl:1: invalid JSON at position 7: unterminated string"),
            (#"{"x": "\x"}"#, "events.jsonl:1: invalid JSON at position 8: invalid escape '\\x'"),
            (#"{"x": "\ud800"}"#, "events.jsonl:1: invalid JSON at position 8: unpaired surrogate in \\u escape"),
            (#"{"x": "\u12G4"}"#, "events.jsonl:1: invalid JSON at position 8: invalid \\u escape"),
            ("{\"x\": \"a\tb\"}", "events.jsonl:1: invalid JSON at position 9: control character in string"),
            (#"{"x": "a", "x": "b"}"#, "events.jsonl:1: column 'x': appears twice in the object"),
        ]
        for (line, message) in cases {
            #expect(readError(line + "\n", format: .jsonl, schema: [Field("x", .string)]) == message, "\(line)")
        }
    }

    @Test func skipMode() throws {
        let text = """
        {"id": 1, "age": 31.5}
        {"id": 2, "age": "abc"}

        {"id": 3, "bad json
        {"id": 4, "name": "s", "age": 1}
        {"id": 5}
        """
        let schema = [Field("id", .int64), Field("name", .string), Field("age", .float64)]
        for batchSize in [1, 2, 10] {
            let r = try readAll(text, format: .jsonl, schema: schema, options: ReadOptions(batchSize: batchSize, onInvalid: .skip))
            #expect(r.rows == [[.int64(1), nil, .float64(31.5)], [.int64(4), .string("s"), .float64(1)], [.int64(5), nil, nil]])
            #expect(r.lines == [1, 5, 6])
            #expect(r.rejected == [
                RejectedRow(line: 2, column: "age", value: "abc", reason: "column 'age': cannot parse \"abc\" as float64",
                            raw: #"{"id": 2, "age": "abc"}"#),
                RejectedRow(line: 4, column: nil, value: nil, reason: "invalid JSON at position 11: unterminated string",
                            raw: #"{"id": 3, "bad json"#),
            ])
        }
    }

    @Test func missingFile() {
        let e = failure { () throws(TabularError) in _ = try JSONLReader(path: "/tmp/tabular-none/events.jsonl") }
        #expect(e?.description == "/tmp/tabular-none/events.jsonl: cannot open: No such file or directory")
    }
}

import Testing
import Tabular

@Suite struct CSVErrorTests {
    @Test func fileLevelErrors() throws {
        let missing = "/tmp/tabular-test-does-not-exist/events.csv"
        #expect(failure { () throws(TabularError) in _ = try CSVReader(path: missing) }?.description
            == "\(missing): cannot open: No such file or directory")
        #expect(failure { () throws(TabularError) in _ = try CSVReader(path: "/tmp") }?.description
            == "/tmp: cannot open: Is a directory")
        for empty in ["", "\u{FEFF}", "\n\n", "\r\n"] {
            let e = failure { () throws(TabularError) in _ = try CSVReader(bytes: Array(empty.utf8), name: "events.csv") }
            #expect(e?.description == "events.csv: empty file: expected a header row")
            #expect(e?.kind == .emptyFile)
        }
        let dup = failure { () throws(TabularError) in _ = try CSVReader(bytes: Array("a,b,a\n".utf8), name: "events.csv") }
        #expect(dup?.description == "events.csv:1: column 'a': appears twice in the header")
        let reader = try CSVReader(bytes: Array("a,b\n".utf8), name: "events.csv")
        let missingColumn = failure { () throws(TabularError) in _ = try reader.batches(schema: [Field("age", .float64)]) }
        #expect(missingColumn?.description == "events.csv:1: column 'age': not found in header")
        #expect(missingColumn?.kind == .missingColumn)
    }

    @Test func errorCarriesItsParts() throws {
        let e = failure { () throws(TabularError) in
            _ = try readAll("id,age\n1,abc\n", schema: [Field("age", .float64)])
        }
        #expect(e?.kind == .invalidValue)
        #expect(e?.line == 2)
        #expect(e?.column == "age")
        #expect(e?.value == "abc")
        #expect(e?.expected == "float64")
        #expect(e?.reason == "column 'age': cannot parse \"abc\" as float64")
        #expect(e?.file.hasSuffix("events.csv") == true)
    }

    @Test func badValueOfEveryType() {
        let cases: [(DataType, String, String)] = [
            (.float64, "abc", #"events.csv:3: column 'x': cannot parse "abc" as float64"#),
            (.float64, "1.5.2", #"events.csv:3: column 'x': cannot parse "1.5.2" as float64"#),
            (.float64, "0x1p3", #"events.csv:3: column 'x': cannot parse "0x1p3" as float64"#),
            (.float64, "1e", #"events.csv:3: column 'x': cannot parse "1e" as float64"#),
            (.float32, "nanx", #"events.csv:3: column 'x': cannot parse "nanx" as float32"#),
            (.int64, "12.0", #"events.csv:3: column 'x': cannot parse "12.0" as int64"#),
            (.int64, "9223372036854775808", #"events.csv:3: column 'x': cannot parse "9223372036854775808" as int64: out of range"#),
            (.int64, "-", #"events.csv:3: column 'x': cannot parse "-" as int64"#),
            (.int32, "2147483648", #"events.csv:3: column 'x': cannot parse "2147483648" as int32: out of range"#),
            (.int32, "1e3", #"events.csv:3: column 'x': cannot parse "1e3" as int32"#),
            (.bool, "yes", #"events.csv:3: column 'x': cannot parse "yes" as bool"#),
            (.timestamp, "2025-02-30", #"events.csv:3: column 'x': cannot parse "2025-02-30" as timestamp"#),
            (.timestamp, "1763168400", #"events.csv:3: column 'x': cannot parse "1763168400" as timestamp"#),
            (.bytes, "Zm9", #"events.csv:3: column 'x': cannot parse "Zm9" as bytes: invalid base64"#),
            (.bytes, "Zm9v!A==", #"events.csv:3: column 'x': cannot parse "Zm9v!A==" as bytes: invalid base64"#),
            (.float32Vector(3), "\"[1,2]\"", #"events.csv:3: column 'x': cannot parse "[1,2]" as float32[3]: expected 3 numbers, got 2"#),
            (.float32Vector(2), "[]", #"events.csv:3: column 'x': cannot parse "[]" as float32[2]: expected 2 numbers, got 0"#),
            (.float32Vector(2), "\"[1,x]\"", #"events.csv:3: column 'x': cannot parse "[1,x]" as float32[2]"#),
            (.float32Vector(2), "\"1,2\"", #"events.csv:3: column 'x': cannot parse "1,2" as float32[2]"#),
            (.float64, "\"a\"\"b\"", #"events.csv:3: column 'x': cannot parse "a"b" as float64"#),
        ]
        for (type, field, message) in cases {
            #expect(readError("id,x\n1,\n2,\(field)\n", schema: [Field("id", .int64), Field("x", type)]) == message)
        }
    }

    @Test func invalidUTF8InStrings() {
        let bytes: [UInt8] = Array("s\nok\n".utf8) + [0x61, 0xFF, 0x62, 0x0A]
        let e = failure { () throws(TabularError) in _ = try readAll(bytes: bytes, schema: [Field("s", .string)]) }
        #expect(e?.reason == "column 's': cannot parse \"a\u{FFFD}b\" as string: invalid UTF-8")
        #expect(e?.line == 3)
        // Overlong, surrogate and truncated forms are refused; valid multi-byte text is kept.
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]] {
            #expect(failure { () throws(TabularError) in
                _ = try readAll(bytes: Array("s\n".utf8) + bad + [10], schema: [Field("s", .string)])
            } != nil)
        }
        let fine = try? readAll("s\nhé € 𝄞\n", schema: [Field("s", .string)])
        #expect(fine?.rows == [[.string("hé € 𝄞")]])
    }

    @Test func longValuesAreTruncatedAndControlsEscaped() {
        let long = String(repeating: "z", count: 100)
        #expect(readError("x\n\(long)\n", schema: [Field("x", .int64)])
            == "events.csv:2: column 'x': cannot parse \"\(String(repeating: "z", count: 60))…\" as int64")
        #expect(readError("x\n\"a\nb\"\n", schema: [Field("x", .int64)])
            == #"events.csv:2: column 'x': cannot parse "a\nb" as int64"#)
    }

    @Test func structuralErrors() {
        #expect(readError("a,b\n1,2\n3\n", schema: [Field("a", .int64)]) == "events.csv:3: expected 2 fields, found 1")
        #expect(readError("a,b\n1,2,3\n", schema: [Field("a", .int64)]) == "events.csv:2: expected 2 fields, found 3")
        #expect(readError("a,b\n1,2\n3,\"abc\ndef\n", schema: [Field("a", .int64)]) == "events.csv:3: unterminated quoted field")
        #expect(readError("a,b\n1,2\n\n3,\"abc", schema: [Field("a", .int64)]) == "events.csv:4: unterminated quoted field")
        #expect(readError("a,b\n1,\"x\ny\n\"z\n", schema: [Field("a", .int64)])
            == "events.csv:2: unexpected character after closing quote")
        #expect(readError("a,b\n1,\"x\"y\n", schema: [Field("a", .int64)]) == "events.csv:2: unexpected character after closing quote")
        #expect(readError("\"a\n", schema: [Field("a", .int64)]) == "events.csv:1: unterminated quoted field")
    }

    @Test func skipModeRejectsBadRowsAndKeepsTheRest() throws {
        let text = "id,age,name\n1,31.5,ann\n2,abc,bob\n3,7,\"multi\nline\"\n4,1,2,3\n5,,eve\n6,9,\"open\n"
        let schema = [Field("id", .int64), Field("age", .float64), Field("name", .string)]
        for batchSize in [1, 2, 100] {
            let r = try readAll(text, schema: schema, options: ReadOptions(batchSize: batchSize, onInvalid: .skip))
            #expect(r.rows == [[.int64(1), .float64(31.5), .string("ann")], [.int64(3), .float64(7), .string("multi\nline")],
                               [.int64(5), nil, .string("eve")]])
            #expect(r.lines == [2, 4, 7])
            #expect(r.rejected == [
                RejectedRow(line: 3, column: "age", value: "abc", reason: "column 'age': cannot parse \"abc\" as float64",
                            raw: "2,abc,bob"),
                RejectedRow(line: 6, column: nil, value: nil, reason: "expected 3 fields, found 4", raw: "4,1,2,3"),
                RejectedRow(line: 8, column: nil, value: nil, reason: "unterminated quoted field", raw: "6,9,\"open\n"),
            ])
        }
    }

    @Test func skipModeRollsBackStringsOfARejectedRow() throws {
        let text = "s,n\nkeep,1\ndrop,x\nalso,2\n"
        let r = try readAll(text, schema: [Field("s", .string), Field("n", .int64)], options: ReadOptions(onInvalid: .skip))
        #expect(r.rows == [[.string("keep"), .int64(1)], [.string("also"), .int64(2)]])
        #expect(r.batches[0].columns[0].storage == .binary(offsets: [0, 4, 8], bytes: Array("keepalso".utf8)))
    }

    @Test func skipModeBatchWithOnlyRejects() throws {
        let r = try readAll("n\n1\nx\ny\n", schema: [Field("n", .int64)], options: ReadOptions(batchSize: 1, onInvalid: .skip))
        #expect(r.batches.map(\.rowCount) == [1, 0])
        #expect(r.rejected.map(\.line) == [3, 4])
        #expect(r.rejected.map(\.raw) == ["x", "y"])
    }

    @Test func afterAFailureTheIteratorIsFinished() throws {
        let reader = try CSVReader(bytes: Array("n\nx\n1\n".utf8), name: "events.csv")
        let batches = try reader.batches(schema: [Field("n", .int64)])
        #expect(failure { () throws(TabularError) in _ = try batches.next() } != nil)
        #expect(try batches.next() == nil)
    }
}

import Testing
import Tabular
import TestSupport

@Suite struct JSONLWriterTests {
    @Test func writesEscapedObjectsThatTheReaderReadsBack() throws {
        let file = TempFile("rejects.jsonl")
        defer { file.remove() }
        let writer = try JSONLWriter(path: file.path)
        try writer.write([("s", .string("q\" b\\ \n\r\t\u{1} é 𝄞")), ("n", .int(-3)), ("d", .double(0.1)),
                          ("x", .double(.nan)), ("b", .bool(true)), ("z", .null),
                          ("a", .array([.double(1), .int(2)])), ("o", .object([("k", .string("v"))]))])
        try writer.write(rejected: RejectedRow(line: 7, column: "age", value: "abc",
                                               reason: "column 'age': cannot parse \"abc\" as float64", raw: "7,abc"))
        try writer.close()
        let text = String(decoding: file.contents(), as: UTF8.self)
        #expect(text == #"""
        {"s":"q\" b\\ \n\r\t\u0001 é 𝄞","n":-3,"d":0.1,"x":"NaN","b":true,"z":null,"a":[1.0,2],"o":{"k":"v"}}
        {"line":7,"column":"age","value":"abc","reason":"column 'age': cannot parse \"abc\" as float64","raw":"7,abc"}

        """#)
        let r = try readFile(file.path, format: .jsonl,
                             schema: [Field("s", .string), Field("line", .int64), Field("reason", .string)],
                             options: ReadOptions(ignoreUnknownColumns: true))
        #expect(r.rows == [[.string("q\" b\\ \n\r\t\u{1} é 𝄞"), nil, nil],
                           [nil, .int64(7), .string("column 'age': cannot parse \"abc\" as float64")]])
    }

    @Test func randomStringsRoundTrip() throws {
        var g = SeededRandom(seed: 9)
        let file = TempFile("strings.jsonl")
        defer { file.remove() }
        let writer = try JSONLWriter(path: file.path)
        var expected: [[Value?]] = []
        for _ in 0..<300 {
            let scalars = (0..<Int.random(in: 0...20, using: &g)).map { _ -> Character in
                let pool: [UInt32] = [0, 1, 0x1F, 0x22, 0x5C, 0x2F, 0x41, 0x7F, 0xE9, 0x20AC, 0xFFFF, 0x1D11E, 0x10FFFF]
                return Character(Unicode.Scalar(pool.randomElement(using: &g)!)!)
            }
            let s = String(scalars)
            expected.append([.string(s)])
            try writer.write([("s", .string(s))])
        }
        try writer.close()
        let r = try readFile(file.path, format: .jsonl, schema: [Field("s", .string)], chunkSize: 7)
        #expect(r.rows == expected)
    }
}

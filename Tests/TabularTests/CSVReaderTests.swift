import Testing
import Tabular

@Suite struct CSVReaderTests {
    @Test func readsEveryType() throws {
        let text = #"""
        b,i32,i64,f32,f64,s,by,ts,v
        true,-7,9223372036854775807,0.1,-2.5e-3,hello,Zm9v,2025-11-15T01:00:00Z,"[0.5, -1,2e1]"
        False,2147483647,-9223372036854775808,inf,NaN,"a,b",,2025-11-15T01:00:00.123456+02:00,"[1 ,2,3]"
        1,+3,0,-Infinity,1,"say ""hi""",AA==,1970-01-01,
        0,,,,,,,,
        TRUE,-2147483648,42,3.4028235e38,4.9e-324,"","",2025-11-15 01:00,"[0,0,0]"

        """#
        let schema = [Field("b", .bool), Field("i32", .int32), Field("i64", .int64), Field("f32", .float32),
                      Field("f64", .float64), Field("s", .string), Field("by", .bytes), Field("ts", .timestamp),
                      Field("v", .float32Vector(3))]
        let r = try readAll(text, schema: schema)
        #expect(r.rows.count == 5)
        #expect(r.lines == [2, 3, 4, 5, 6])
        #expect(r.rows[0] == [.bool(true), .int32(-7), .int64(.max), .float32(0.1), .float64(-2.5e-3), .string("hello"),
                              .bytes(Array("foo".utf8)), .timestamp(1_763_168_400_000_000), .vector([0.5, -1, 20])])
        #expect(r.rows[1][0] == .bool(false))
        #expect(r.rows[1][1] == .int32(.max))
        #expect(r.rows[1][2] == .int64(.min))
        #expect(r.rows[1][3] == .float32(.infinity))
        if case .float64(let x)? = r.rows[1][4] { #expect(x.isNaN) } else { Issue.record("NaN not read") }
        #expect(r.rows[1][5] == .string("a,b"))
        #expect(r.rows[1][6] == nil)
        #expect(r.rows[1][7] == .timestamp(1_763_168_400_000_000 - 7_200_000_000 + 123_456))
        #expect(r.rows[1][8] == .vector([1, 2, 3]))
        #expect(r.rows[2] == [.bool(true), .int32(3), .int64(0), .float32(-.infinity), .float64(1), .string("say \"hi\""),
                              .bytes([0]), .timestamp(0), nil])
        #expect(r.rows[3] == [.bool(false), nil, nil, nil, nil, nil, nil, nil, nil])
        #expect(r.rows[4] == [.bool(true), .int32(.min), .int64(42), .float32(.greatestFiniteMagnitude),
                              .float64(4.9e-324), .string(""), .bytes([]), .timestamp(1_763_168_400_000_000),
                              .vector([0, 0, 0])])
    }

    @Test func quotedEmptyIsNullExceptForStringsAndBytes() throws {
        let r = try readAll("a,b,c\n\"\",\"\",\"\"\n", schema: [Field("a", .int64), Field("b", .string), Field("c", .timestamp)])
        #expect(r.rows == [[nil, .string(""), nil]])
        let n = try readAll("a,b\n,\n", schema: [Field("a", .string), Field("b", .bytes)])
        #expect(n.rows == [[nil, nil]])
    }

    @Test func nullSlotsHoldZeroes() throws {
        let r = try readAll("a,b\n1,[2]\n,\n", schema: [Field("a", .float64), Field("b", .float32Vector(1))])
        #expect(r.batches[0].columns[0].storage == .float64([1, 0]))
        #expect(r.batches[0].columns[0].validity == [true, false])
        #expect(r.batches[0].columns[1].storage == .vector(dimension: 1, values: [2, 0]))
    }

    @Test func numbersMayHaveSurroundingBlanksButStringsAreVerbatim() throws {
        let r = try readAll("a,b,c\n 12 ,\t1.5 , x \n", schema: [Field("a", .int64), Field("b", .float64), Field("c", .string)])
        #expect(r.rows == [[.int64(12), .float64(1.5), .string(" x ")]])
    }

    @Test func crlfBomAndMissingFinalNewline() throws {
        let text = "\u{FEFF}id,name\r\n1,ann\r\n2,\"bo\r\nb\"\r\n3,cy"
        let r = try readAll(text, schema: [Field("id", .int64), Field("name", .string)])
        #expect(r.rows == [[.int64(1), .string("ann")], [.int64(2), .string("bo\r\nb")], [.int64(3), .string("cy")]])
        #expect(r.lines == [2, 3, 5])
        let reader = try CSVReader(bytes: Array(text.utf8), name: "x.csv")
        #expect(reader.columnNames == ["id", "name"])
    }

    @Test func multiLineFieldsAndBlankLinesKeepPhysicalLineNumbers() throws {
        let text = "k,note\n1,\"line one\nline two\nline three\"\n\n2,plain\n\r\n3,\"x\"\n"
        let r = try readAll(text, schema: [Field("k", .int32), Field("note", .string)])
        #expect(r.rows.map { $0[0] } == [.int32(1), .int32(2), .int32(3)])
        #expect(r.rows[0][1] == .string("line one\nline two\nline three"))
        #expect(r.lines == [2, 6, 8])
    }

    @Test func quotedHeaderNamesAndTrailingEmptyField() throws {
        let reader = try CSVReader(bytes: Array("\"a,1\",\"b\"\"\",c\n1,2,\n".utf8), name: "h.csv")
        #expect(reader.columnNames == ["a,1", "b\"", "c"])
        let r = try readAll("a,b,c\n1,2,\n", schema: [Field("c", .string), Field("a", .int64)])
        #expect(r.rows == [[nil, .int64(1)]])
    }

    @Test func projectionSkipsColumnsWithoutParsingThem() throws {
        // Column `junk` is never parsed, so its unparseable values do not matter.
        let text = "junk,id,score\nnot a number,1,0.5\n\"x\"\"y\",2,1e3\n"
        let r = try readAll(text, schema: [Field("score", .float64), Field("id", .int64)])
        #expect(r.rows == [[.float64(0.5), .int64(1)], [.float64(1000), .int64(2)]])
        #expect(r.batches[0].fields.map(\.name) == ["score", "id"])
    }

    @Test func quoteInsideUnquotedFieldIsData() throws {
        let r = try readAll("a\nab\"c\n", schema: [Field("a", .string)])
        #expect(r.rows == [[.string("ab\"c")]])
    }

    @Test func batchBoundaries() throws {
        let text = "id\n" + (1...10).map { "\($0)\n" }.joined()
        for size in [1, 2, 3, 10, 11] {
            let r = try readAll(text, schema: [Field("id", .int64)], options: ReadOptions(batchSize: size))
            #expect(r.rows == (1...10).map { [.int64(Int64($0))] })
            #expect(r.lines == Array(2...11))
            #expect(r.batches.map(\.rowCount) == stride(from: 0, to: 10, by: size).map { min(size, 10 - $0) })
        }
    }

    @Test func recordsSplitAcrossChunksParseIdentically() throws {
        let text = "\u{FEFF}id,name,score,tags\r\n" + (0..<40).map { i in
            "\(i),\"n\"\"\(i)\nx, y\",\(Double(i) * 0.37),\"[\(i), \(i + 1)]\"\r\n"
        }.joined() + "\n40,last,,\"[1,2]\""
        let schema = [Field("id", .int64), Field("name", .string), Field("score", .float64), Field("tags", .float32Vector(2))]
        let whole = try readAll(text, schema: schema)
        #expect(whole.rows.count == 41)
        for chunk in [1, 2, 3, 7, 13, 64] {
            for batchSize in [3, 1000] {
                let split = try readAll(text, schema: schema, options: ReadOptions(batchSize: batchSize), chunkSize: chunk)
                #expect(split.rows == whole.rows, "chunk \(chunk)")
                #expect(split.lines == whole.lines, "chunk \(chunk)")
            }
        }
    }

    @Test func largeFileAcrossManyChunks() throws {
        var text = "a,b\n"
        for i in 0..<5000 { text += "\(i),\(String(repeating: "x", count: i % 50))\n" }
        let r = try readAll(text, schema: [Field("a", .int64), Field("b", .string)], chunkSize: 1000)
        #expect(r.rows.count == 5000)
        #expect(r.rows[4999] == [.int64(4999), .string(String(repeating: "x", count: 4999 % 50))])
        #expect(r.batches.count == 1)
    }

    @Test func inMemoryReader() throws {
        let reader = try CSVReader(bytes: Array("x\n1\n".utf8), name: "mem.csv")
        let batches = try reader.batches(schema: [Field("x", .int32)])
        #expect(try batches.next()?.columns[0].storage == .int32([1]))
        #expect(try batches.next() == nil)
        #expect(try batches.next() == nil)
    }

    @Test func headerOnlyFileYieldsNoBatch() throws {
        let r = try readAll("a,b\n", schema: [Field("a", .int64)])
        #expect(r.batches.isEmpty)
    }
}

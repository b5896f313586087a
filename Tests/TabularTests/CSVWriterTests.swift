import Testing
import Tabular
import TestSupport

@Suite struct CSVWriterTests {
    func written(_ batch: RecordBatch, header: Bool = true) throws -> String {
        let file = TempFile("out.csv")
        defer { file.remove() }
        let writer = try CSVWriter(path: file.path)
        if header { try writer.write(header: batch.fields.map(\.name)) }
        try writer.write(batch: batch)
        try writer.close()
        return String(decoding: file.contents(), as: UTF8.self)
    }

    func column(_ type: DataType, _ values: [Value?]) -> Column {
        var c = Column(type: type)
        for v in values {
            switch v {
            case nil: c.appendNull()
            case .bool(let x)?: c.appendBool(x)
            case .int32(let x)?: c.appendInt32(x)
            case .int64(let x)?, .timestamp(let x)?: c.appendInt64(x)
            case .float32(let x)?: c.appendFloat32(x)
            case .float64(let x)?: c.appendFloat64(x)
            case .string(let x)?: c.appendString(x)
            case .bytes(let x)?: c.appendBytes(x)
            case .vector(let x)?: c.appendVector(x)
            }
        }
        return c
    }

    @Test func goldenOutput() throws {
        let fields = [Field("b", .bool), Field("i", .int32), Field("n", .int64), Field("f", .float32), Field("d", .float64),
                      Field("s", .string), Field("by", .bytes), Field("ts", .timestamp), Field("v", .float32Vector(2)),
                      Field("needs,quote", .float32Vector(1))]
        let columns = [
            column(.bool, [.bool(true), .bool(false), nil]),
            column(.int32, [.int32(-2147483648), .int32(0), nil]),
            column(.int64, [.int64(.min), .int64(.max), nil]),
            column(.float32, [.float32(0.1), .float32(.nan), .float32(-.infinity)]),
            column(.float64, [.float64(3), .float64(1e-5), .float64(-0.0)]),
            column(.string, [.string("a,b"), .string("say \"hi\""), .string("")]),
            column(.bytes, [.bytes(Array("foo".utf8)), .bytes([]), nil]),
            column(.timestamp, [.timestamp(1_763_168_400_000_000), .timestamp(-1), .timestamp(123_456)]),
            column(.float32Vector(2), [.vector([0.1, 2]), nil, .vector([.infinity, -0.5])]),
            column(.float32Vector(1), [.vector([1]), .vector([.nan]), nil]),
        ]
        let batch = RecordBatch(fields: fields, columns: columns, sourceLines: [1, 2, 3])
        #expect(try written(batch) == #"""
        b,i,n,f,d,s,by,ts,v,"needs,quote"
        true,-2147483648,-9223372036854775808,0.1,3.0,"a,b",Zm9v,2025-11-15T01:00:00Z,"[0.1,2.0]",[1.0]
        false,0,9223372036854775807,NaN,1e-05,"say ""hi""","",1969-12-31T23:59:59.999999Z,,[NaN]
        ,,,-inf,-0.0,"",,1970-01-01T00:00:00.123456Z,"[inf,-0.5]",

        """#)
    }

    @Test func stringsQuotedOnlyWhenNeeded() throws {
        let values = ["plain", "", " lead", "trail ", "\ttab", "cr\rx", "lf\nx", "q\"x", "semi;colon", "é€"]
        let batch = RecordBatch(fields: [Field("s", .string)], columns: [column(.string, values.map { .string($0) } + [nil])],
                                sourceLines: Array(1...11))
        #expect(try written(batch, header: false)
            == "plain\n\"\"\n\" lead\"\n\"trail \"\n\"\ttab\"\n\"cr\rx\"\n\"lf\nx\"\n\"q\"\"x\"\nsemi;colon\né€\n\n")
    }

    @Test func closedWriterRefusesWrites() throws {
        let file = TempFile("out.csv")
        defer { file.remove() }
        let writer = try CSVWriter(path: file.path)
        try writer.close()
        try writer.close()
        #expect(failure { () throws(TabularError) in try writer.write(header: ["a"]) }?.description
            == "\(file.path): cannot write: file is closed")
        #expect(failure { () throws(TabularError) in _ = try CSVWriter(path: "/tmp/tabular-none/x.csv") }?.description
            == "/tmp/tabular-none/x.csv: cannot open for writing: No such file or directory")
    }

    static func randomValue(_ type: DataType, _ g: inout SeededRandom) -> Value? {
        if Int.random(in: 0..<8, using: &g) == 0 { return nil }
        func randomDouble() -> Double {
            switch Int.random(in: 0..<6, using: &g) {
            case 0: return Double(bitPattern: g.next())
            case 1: return Double(Int.random(in: -1_000_000...1_000_000, using: &g)) / 1000
            case 2: return [0.0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                            .leastNormalMagnitude, 0.1, 1e23][Int.random(in: 0..<10, using: &g)]
            default: return Double.random(in: -100...100, using: &g)
            }
        }
        func randomFloat() -> Float {
            switch Int.random(in: 0..<4, using: &g) {
            case 0: return Float(bitPattern: UInt32(truncatingIfNeeded: g.next()))
            case 1: return Float(randomDouble())
            default: return Float.random(in: -10...10, using: &g)
            }
        }
        func randomBytes(_ alphabet: [UInt8]) -> [UInt8] {
            (0..<Int.random(in: 0...12, using: &g)).map { _ in alphabet.randomElement(using: &g)! }
        }
        switch type {
        case .bool: return .bool(Bool.random(using: &g))
        case .int32: return .int32(Int32(truncatingIfNeeded: g.next()))
        case .int64: return .int64(Int64(bitPattern: g.next()) >> Int64.random(in: 0...63, using: &g))
        case .float32: return .float32(randomFloat())
        case .float64: return .float64(randomDouble())
        case .string:
            let alphabet = Array("ab ,\"\n\r\t;xyz".utf8) + Array("é€𝄞".utf8)
            var s = String(decoding: randomBytes(alphabet), as: UTF8.self)
            if s.isEmpty && Bool.random(using: &g) { s = "" }
            return .string(s)
        case .bytes: return .bytes(randomBytes(Array(0...255)))
        case .timestamp: return .timestamp(Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &g))
        case .float32Vector(let n): return .vector((0..<n).map { _ in randomFloat() })
        }
    }

    static func same(_ a: Value?, _ b: Value?) -> Bool {
        switch (a, b) {
        case let (.float64(x)?, .float64(y)?): return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
        case let (.float32(x)?, .float32(y)?): return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
        case let (.vector(x)?, .vector(y)?):
            return x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
        default: return a == b
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func randomRoundTrip(seed: UInt64) throws {
        var g = SeededRandom(seed: seed)
        let fields = [Field("b", .bool), Field("i", .int32), Field("n", .int64), Field("f", .float32), Field("d", .float64),
                      Field("s", .string), Field("by", .bytes), Field("ts", .timestamp), Field("v", .float32Vector(3))]
        let rows = 500
        var expected: [[Value?]] = Array(repeating: [], count: rows)
        var columns: [Column] = []
        for field in fields {
            let values = (0..<rows).map { _ in Self.randomValue(field.type, &g) }
            for r in 0..<rows { expected[r].append(values[r]) }
            columns.append(column(field.type, values))
        }
        let batch = RecordBatch(fields: fields, columns: columns, sourceLines: Array(1...rows))
        let file = TempFile("roundtrip.csv")
        defer { file.remove() }
        let writer = try CSVWriter(path: file.path)
        try writer.write(header: fields.map(\.name))
        try writer.write(batch: batch)
        try writer.write(batch: batch)
        try writer.close()
        let first = file.contents()
        let back = try readFile(file.path, schema: fields, options: ReadOptions(batchSize: 97), chunkSize: 1000)
        #expect(back.rows.count == 2 * rows)
        for (r, row) in back.rows.enumerated() {
            for (k, value) in row.enumerated() where !Self.same(value, expected[r % rows][k]) {
                Issue.record("row \(r) column \(fields[k].name): wrote \(String(describing: expected[r % rows][k])), read \(String(describing: value))")
            }
        }
        // Byte-deterministic: the same batch gives the same bytes.
        let again = TempFile("again.csv")
        defer { again.remove() }
        let w2 = try CSVWriter(path: again.path)
        try w2.write(header: fields.map(\.name))
        try w2.write(batch: batch)
        try w2.write(batch: batch)
        try w2.close()
        #expect(again.contents() == first)
    }
}

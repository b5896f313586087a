import Testing
import Tabular
import TestSupport

/// Garbage in: the readers must never crash, and must give the same answer
/// whatever the read chunk size.
@Suite struct FuzzTests {
    static func garbage(_ g: inout SeededRandom, _ alphabet: [UInt8]) -> [UInt8] {
        (0..<Int.random(in: 0...300, using: &g)).map { _ in alphabet.randomElement(using: &g)! }
    }

    struct Outcome: Equatable {
        var rows: [[Value?]] = []
        var lines: [Int] = []
        var rejected: [RejectedRow] = []
        var error: String?
    }

    static func outcome(_ bytes: [UInt8], _ format: Format, _ schema: [Field], _ options: ReadOptions, chunk: Int) -> Outcome {
        var o = Outcome()
        do {
            let iterator: BatchIterator
            switch format {
            case .csv: iterator = try CSVReader(bytes: bytes, name: "f", chunkSize: chunk).batches(schema: schema, options: options)
            case .jsonl: iterator = try JSONLReader(bytes: bytes, name: "f", chunkSize: chunk).batches(schema: schema, options: options)
            }
            while let batch = try iterator.next() {
                for row in 0..<batch.rowCount { o.rows.append(batch.columns.map { $0.value(at: row) }) }
                o.lines += batch.sourceLines
                o.rejected += batch.rejected
            }
        } catch {
            o.error = error.description
        }
        return o
    }

    /// Equality that treats NaN as equal to itself.
    static func same(_ a: Outcome, _ b: Outcome) -> Bool {
        a.lines == b.lines && a.rejected == b.rejected && a.error == b.error && a.rows.count == b.rows.count
            && zip(a.rows, b.rows).allSatisfy { zip($0, $1).allSatisfy(CSVWriterTests.same) }
    }

    @Test func csvGarbage() {
        var g = SeededRandom(seed: 99)
        let alphabet = Array("a,\"\n\r 1.5e-[]TZ:-0x\u{FEFF}".utf8) + [0xFF, 0xC3]
        let schema = [Field("a", .string), Field("b", .float64), Field("c", .float32Vector(2))]
        for _ in 0..<300 {
            let bytes = Array("a,b,c\n".utf8) + Self.garbage(&g, alphabet)
            for policy in [InvalidRowPolicy.fail, .skip] {
                let options = ReadOptions(batchSize: 3, onInvalid: policy)
                let whole = Self.outcome(bytes, .csv, schema, options, chunk: 1 << 20)
                let split = Self.outcome(bytes, .csv, schema, options, chunk: Int.random(in: 1...9, using: &g))
                #expect(Self.same(whole, split), "\(bytes)")
            }
        }
    }

    @Test func jsonlGarbage() {
        var g = SeededRandom(seed: 98)
        let alphabet = Array("{}[]\"\\:,\n 1.5e-tru nlfx\"a\"\"b\"u00".utf8) + [0xFF]
        let schema = [Field("a", .string), Field("b", .float64), Field("c", .float32Vector(1))]
        for _ in 0..<300 {
            let bytes = Self.garbage(&g, alphabet)
            for policy in [InvalidRowPolicy.fail, .skip] {
                let options = ReadOptions(batchSize: 2, onInvalid: policy, ignoreUnknownColumns: true)
                let whole = Self.outcome(bytes, .jsonl, schema, options, chunk: 1 << 20)
                let split = Self.outcome(bytes, .jsonl, schema, options, chunk: Int.random(in: 1...9, using: &g))
                #expect(Self.same(whole, split), "\(bytes)")
            }
        }
    }
}

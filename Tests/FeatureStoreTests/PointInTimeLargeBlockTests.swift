import Testing
import Foundation
@testable import FeatureStore
import Tabular
import TestSupport

/// The export's two-thread paths, which small inputs do not take: the sort of
/// a block of ≥ ``PointInTimeWalker/parallelSortRows`` rows (integer keys that
/// differ in many bytes, a composite key straddling the two halves of the
/// sort's 16-byte head, null keys), and the entity CSV read in two halves
/// (``SplitCSVSource``): same rows, lines and errors as one reader.
@Suite struct PointInTimeLargeBlockTests {
    static let second: Int64 = 1_000_000

    static let yaml = """
        entities:
          - name: user
            join_keys: [{name: user_id, type: int64}]
          - name: shard_user
            join_keys:
              - {name: shard, type: int32}
              - {name: user_id, type: int64}
        feature_tables:
          - name: a
            entities: [user]
            features:
              - {name: a_value, type: int64}
          - name: b
            entities: [shard_user]
            features:
              - {name: b_value, type: int64}
        """

    /// 0..<n.
    static func int(_ rng: inout SeededRandom, _ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    @Test func largeBlocksMatchTheReference() throws {
        let store = try TempStore(Self.yaml)
        var rng = SeededRandom(seed: 11)
        let base: Int64 = 1_763_000_000 * Self.second
        // Keys over the whole int64 range (negative ones too), a few events each at distinct times.
        let users: [Int64] = (0..<2000).map { _ in Int64(bitPattern: rng.next()) >> Int64(Self.int(&rng, 60)) }
        let shards: [Int32] = [-70_000, -1, 0, 3, 65_536]
        var eventsA: [Int64: [(t: Int64, v: Int64)]] = [:]
        var eventsB: [[Int64]: [(t: Int64, v: Int64)]] = [:]
        var csvA = "user_id,event_timestamp,a_value\n", csvB = "shard,user_id,event_timestamp,b_value\n"
        for user in users {
            for k in 0..<(1 + Self.int(&rng, 3)) {
                let t = base + Int64(k * 1000 + Self.int(&rng, 900)) * Self.second, v = Int64(Self.int(&rng, 1_000_000))
                eventsA[user, default: []].append((t, v))
                csvA += "\(user),\(Timestamp.format(t)),\(v)\n"
            }
            let shard = shards[Self.int(&rng, shards.count)]
            let t = base + Int64(Self.int(&rng, 3000)) * Self.second, v = Int64(Self.int(&rng, 1_000_000))
            eventsB[[Int64(shard), user], default: []].append((t, v))
            csvB += "\(shard),\(user),\(Timestamp.format(t)),\(v)\n"
        }
        _ = try store.store.ingest(table: "a", files: [try store.file("a.csv", csvA)])
        _ = try store.store.ingest(table: "b", files: [try store.file("b.csv", csvB)])

        // 70,000 entity rows (two blocks of the default size would need more): known and unknown keys, null keys.
        let n = 70_000
        var user = Column(type: .int64), shard = Column(type: .int32), ts = Column(type: .timestamp)
        var rows: [(user: Int64?, shard: Int32, t: Int64)] = []
        for _ in 0..<n {
            let u: Int64? = Self.int(&rng, 50) == 0 ? nil : Self.int(&rng, 10) == 0 ? Int64(bitPattern: rng.next()) : users[Self.int(&rng, users.count)]
            let s = shards[Self.int(&rng, shards.count)]
            let t = base + Int64(Self.int(&rng, 3500)) * Self.second
            rows.append((u, s, t))
            if let u { user.appendInt64(u) } else { user.appendNull() }
            shard.appendInt32(s)
            ts.appendInt64(t)
        }
        let entities = RecordBatch(fields: [Field("user_id", .int64), Field("shard", .int32), Field("event_timestamp", .timestamp)],
                                   columns: [user, shard, ts], sourceLines: Array(2..<(n + 2)))
        var options = PointInTimeOptions()
        options.batchSize = 8192
        let out = try store.store.historicalFeatures(refs: ["a:a_value", "b:b_value"], entities: entities, options: options)
        #expect(out.rowCount == n)
        func latest(_ events: [(t: Int64, v: Int64)]?, _ t: Int64) -> Value? {
            (events ?? []).filter { $0.t <= t }.max { $0.t < $1.t }.map { .int64($0.v) }
        }
        var mismatches = 0
        for (i, r) in rows.enumerated() {
            let a = r.user.flatMap { latest(eventsA[$0], r.t) }
            let b = r.user.flatMap { latest(eventsB[[Int64(r.shard), $0]], r.t) }
            if out.columns[3].value(at: i) != a || out.columns[4].value(at: i) != b {
                mismatches += 1
                if mismatches <= 5 { Issue.record("row \(i) \(r): got \(String(describing: out.columns[3].value(at: i))), \(String(describing: out.columns[4].value(at: i))); expected \(String(describing: a)), \(String(describing: b))") }
            }
        }
        #expect(mismatches == 0)
    }

    /// The batches of `path` read by one reader and by two (split at the middle).
    static func readBoth(_ path: String, chunkSize: Int = 4096) throws -> (one: Result<[RecordBatch], TabularError>, two: Result<[RecordBatch], TabularError>) {
        func all(_ it: BatchIterator) -> Result<[RecordBatch], TabularError> {
            var batches: [RecordBatch] = []
            do {
                while let b = try it.next() { batches.append(b) }
                return .success(batches)
            } catch {
                return .failure(error)
            }
        }
        let schema = [Field("user_id", .int64), Field("event_timestamp", .timestamp), Field("label", .string)]
        let one = all(try CSVReader(path: path, chunkSize: chunkSize).batches(schema: schema, options: ReadOptions(batchSize: 1000)))
        let reader = try CSVReader(path: path, chunkSize: chunkSize)
        let two = all(try SplitCSVSource.batches(reader: reader, path: path, schema: schema,
                                                 options: ReadOptions(batchSize: 1000), maxBufferedBatches: 4, minimumBytes: 16 * chunkSize))
        return (one, two)
    }

    /// Rows, values and lines (concatenated: the two readers cut batches at other rows).
    static func flat(_ r: Result<[RecordBatch], TabularError>) -> Result<RecordBatch, TabularError> {
        r.map { RecordBatch.concatenating($0, fields: $0.first?.fields ?? []) }
    }

    static func entityCSV(rows: Int, _ line: (Int) -> String) -> String {
        var text = "user_id,event_timestamp,label\n"
        for i in 0..<rows { text += line(i) }
        return text
    }

    @Test func splitReadGivesTheSameRowsAndLines() throws {
        let store = try TempStore()
        // Blank lines and CRLF here and there: the second half's lines must still be the file's.
        let path = try store.file("e.csv", Self.entityCSV(rows: 20_000) { i in
            (i % 997 == 0 ? "\n" : "") + "\(i),2025-11-15T07:25:10Z,l\(i)" + (i % 5 == 0 ? "\r\n" : "\n")
        })
        let (one, two) = try Self.readBoth(path)
        let a = try Self.flat(one).get(), b = try Self.flat(two).get()
        #expect(a.rowCount == 20_000)
        #expect(a == b)
        // It did split (the second half's batches start at the split).
        #expect(SplitCSVSource.splitOffset(path: path, minimumBytes: 16 * 4096) != nil)
        #expect(try two.get().count >= (try one.get().count))
    }

    @Test func quotedFieldBeforeTheSplitMakesOneReader() throws {
        let store = try TempStore()
        // A quoted label holding newlines in the first half: the middle newline may be inside one.
        let path = try store.file("q.csv", Self.entityCSV(rows: 20_000) { i in
            i == 100 ? "\(i),2025-11-15T07:25:10Z,\"a\nb\n\"\n" : i == 10_000 ? "\(i),2025-11-15T07:25:10Z,\"x\n\(i + 1),2025-11-15T07:25:10Z,y\"\n" : "\(i),2025-11-15T07:25:10Z,l\(i)\n"
        })
        let (one, two) = try Self.readBoth(path)
        #expect(try Self.flat(one).get() == (try Self.flat(two).get()))
    }

    @Test func errorInTheSecondHalfNamesTheFileLine() throws {
        let store = try TempStore()
        let path = try store.file("bad.csv", Self.entityCSV(rows: 20_000) { i in
            i == 15_000 ? "\(i),not-a-time,l\(i)\n" : (i % 3000 == 0 ? "\n" : "") + "\(i),2025-11-15T07:25:10Z,l\(i)\n"
        })
        let (one, two) = try Self.readBoth(path)
        guard case .failure(let e1) = one, case .failure(let e2) = two else {
            Issue.record("expected both to fail: \(one), \(two)")
            return
        }
        #expect(e1.line == 15_000 + 2 + 15_000 / 3000)
        #expect(e1 == e2)
        #expect(e1.description == e2.description)
    }
}

import Foundation
import Tabular
import Testing

/// Files written by pyarrow, polars and DuckDB (every codec, dictionary on and
/// off, data pages v1 and v2, DELTA encodings, INT96, small pages and row
/// groups) are read back value for value; files we write are read by each of
/// them value for value. Needs `make venv`; skips with a note otherwise.
@Suite(.serialized) struct ParquetInteropTests {
    struct Fixture {
        let name: String
        let file: String
        let schema: [Field]
        let rows: [[Value?]]
    }

    /// Writes the fixtures once per test process, into a directory named by
    /// its pid; the directories of earlier processes that have ended are
    /// removed first (the fixtures are read until the process ends, so each
    /// process leaves its own behind).
    static let fixtures: [Fixture]? = {
        guard ParquetOracle.available else { return nil }
        let prefix = "tabular-parquet-fixtures-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: "/tmp/" + name) }
        }
        let dir = "/tmp/\(prefix)\(getpid())"
        guard ParquetOracle.run(["fixtures", dir]) != nil,
              let data = FileManager.default.contents(atPath: dir + "/manifest.json"),
              let manifest = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return nil }
        return manifest.map { entry in
            let schema = (entry["schema"] as! [[String]]).map { Field($0[0], DataType(parsing: $0[1])!) }
            let rows = (entry["rows"] as! [[Any]]).map { cells in
                zip(cells, schema).map { ParquetOracle.value($0, $1.type) }
            }
            return Fixture(name: entry["name"] as! String, file: entry["file"] as! String, schema: schema, rows: rows)
        }
    }()

    static func compare(_ got: [[Value?]], _ want: [[Value?]], _ schema: [Field], _ what: String) {
        #expect(got.count == want.count, "\(what): \(got.count) rows, expected \(want.count)")
        var reported = 0
        for (r, (g, w)) in zip(got, want).enumerated() {
            for (k, field) in schema.enumerated() where !CSVWriterTests.same(g[k], w[k]) {
                if reported < 10 {
                    Issue.record("\(what): row \(r + 1) column '\(field.name)': got \(String(describing: g[k])), expected \(String(describing: w[k]))")
                }
                reported += 1
            }
        }
    }

    @Test func readsFilesFromOtherTools() throws {
        guard let fixtures = Self.fixtures else { return }
        #expect(fixtures.count >= 20)
        for fixture in fixtures {
            do {
                let result = try readParquet(fixture.file, schema: fixture.schema, options: ReadOptions(batchSize: 10))
                #expect(result.lines == Array(1...fixture.rows.count), "\(fixture.name)")
                Self.compare(result.rows, fixture.rows, fixture.schema, fixture.name)
            } catch {
                Issue.record("\(fixture.name): \(error)")
            }
        }
    }

    @Test func naturalSchemaOfOtherToolsFiles() throws {
        guard let fixtures = Self.fixtures else { return }
        for fixture in fixtures {
            let reader = try ParquetReader(path: fixture.file)
            #expect(reader.columnNames == fixture.schema.map(\.name), "\(fixture.name)")
            #expect(reader.schema == fixture.schema, "\(fixture.name)")
        }
    }

    @Test func projectionReadsOnlyWhatIsAsked() throws {
        guard let fixture = Self.fixtures?.first(where: { $0.name == "pyarrow_default" }) else { return }
        let wanted = [Field("vec", .float32Vector(3)), Field("s", .string), Field("ts_ns", .timestamp)]
        let result = try readParquet(fixture.file, schema: wanted)
        let indices = wanted.map { f in fixture.schema.firstIndex { $0.name == f.name }! }
        Self.compare(result.rows, fixture.rows.map { row in indices.map { row[$0] } }, wanted, "projection")
    }
}

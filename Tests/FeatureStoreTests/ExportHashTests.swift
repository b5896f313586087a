import Testing
import Foundation
@testable import FeatureStore
import Tabular

/// The CSV export hashes its output while writing it: the record's
/// outputSHA256 must be the SHA-256 of the file, header included.
@Suite struct ExportHashTests {
    @Test func recordedHashIsTheFilesHash() throws {
        let t = try PointInTimeExportTests.store()
        // Enough rows for batches formatted in two halves on two threads
        // (CSVHalfFormatter.minimumRows), and a short last batch.
        var lines = ["user_id,event_timestamp,\"a label, quoted\""]
        for i in 0..<10_000 {
            lines.append("\(1 + i % 3),2025-11-1\(5 + i % 3)T0\(i % 10):00:00Z,\(i % 7 == 0 ? "\"x,\(i)\"" : "\(i)")")
        }
        let entities = try t.file("entities.csv", lines.joined(separator: "\n") + "\n")
        for batchSize in [4096, 65_536, 1000] {
            var options = PointInTimeOptions()
            options.batchSize = batchSize
            let out = t.dir + "-train-\(batchSize).csv"
            let record = try t.store.exportTrainingSet(entities: entities, refs: ["user_stats:*"], to: out, options: options)
            #expect(record.rows == 10_000)
            #expect(record.outputSHA256 == (try FileHash.sha256(out)), "batch size \(batchSize)")
            #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix(
                "user_id,event_timestamp,\"a label, quoted\",age,country,credit_score\n"))
        }
    }

    /// The header line is CSVWriter's, byte for byte, for names that need quoting.
    @Test func headerBytesAreTheWritersHeader() throws {
        let dir = NSTemporaryDirectory() + "exporthash-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [[String]] = [["a", "b"], ["a,b", "q\"x", " lead", "trail ", "tab\t", "new\nline", "é✓"], ["only"]]
        for (i, names) in cases.enumerated() {
            let path = dir + "/h\(i).csv"
            let writer = try CSVWriter(path: path)
            try writer.write(header: names)
            try writer.close()
            let expected = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(StreamHasher.csvHeader(names) == expected, "\(names)")
        }
        #expect(StreamHasher.csvHeader(["a", ""]) == nil)
    }
}

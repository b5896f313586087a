import Foundation
import Testing

/// Entity files and `--out` of `fsctl export` and `fsctl score`: a refused
/// run records no training set, logs no prediction, writes no output, and
/// never overwrites its own input.
extension BadInputTests {
    @Test func exportRefusesBadEntityFilesAndOutputsAndRecordsNothing() throws {
        let box = try Self.ingested()
        let entities = "user_id,event_timestamp,label\n1,2025-11-15T03:00:00Z,1\n2,2025-11-15T03:00:00Z,0\n"
        try box.write("entities.csv", entities)
        try box.write("badkey.csv", "user_id,event_timestamp\n1,2025-11-15T03:00:00Z\nx,2025-11-15T03:00:00Z\n")
        try box.write("badtime.csv", "user_id,event_timestamp\n1,2025-11-15T03:00:00Z\n2,notatime\n")
        try box.write("notime.csv", "user_id,event_timestamp\n1,2025-11-15T03:00:00Z\n2,\n")
        try box.write("empty.csv", "")
        try box.write("badkey.jsonl", "{\"user_id\": 1.5, \"event_timestamp\": \"2025-11-15T03:00:00Z\"}\n")
        try box.write("garbage.parquet", "garbage")
        let export = ["export", "--features", "user_stats:age", "--entities"]
        try box.refuses([
            (export + ["entities.csv", "--out", "entities.csv"], 2,
             "--out entities.csv is the file given to --entities (entities.csv): writing the output there would destroy the input; choose another --out"),
            (export + ["entities.csv", "--out", "./entities.csv"], 2,
             "--out ./entities.csv is the file given to --entities (entities.csv): writing the output there would destroy the input; choose another --out"),
            (export + ["entities.csv", "--out", "no/dir/train.csv"], 1,
             "--out no/dir/train.csv: cannot create it: directory 'no/dir': No such file or directory"),
            (export + ["entities.csv", "--out", "entities.csv/train.csv"], 1,
             "--out entities.csv/train.csv: cannot create it: 'entities.csv' is not a directory"),
            (export + ["badkey.csv", "--out", "t.csv"], 1, "badkey.csv:3: column 'user_id': cannot parse \"x\" as int64"),
            (export + ["badtime.csv", "--out", "t.csv"], 1, "badtime.csv:3: column 'event_timestamp': cannot parse \"notatime\" as timestamp"),
            (export + ["notime.csv", "--out", "t.csv"], 1, "notime.csv:3: column 'event_timestamp': missing timestamp"),
            (export + ["entities.csv", "--out", "t.csv", "--timestamp-column", "ts"], 1, "entities.csv: missing timestamp column 'ts'"),
            (export + ["empty.csv", "--out", "t.csv"], 1, "empty.csv: empty file: expected a header row"),
            (export + ["badkey.jsonl", "--out", "t.csv"], 1, "badkey.jsonl:1: column 'user_id': cannot parse 1.5 as int64"),
            (export + ["garbage.parquet", "--out", "t.csv"], 1, "garbage.parquet: not a Parquet file: 7 bytes, too short for the PAR1 header and footer"),
            (export + ["entities.csv", "--out", "t.csv", "--format", "parquet"], 1,
             "entities.csv: not a Parquet file: bad magic at the start (expected PAR1)"),
            (export + ["entities.csv", "--out", "t.csv", "--as-of", "soon"], 2, "--as-of: cannot parse \"soon\" as an ISO-8601 timestamp"),
        ])
        #expect(try box.read("entities.csv") == entities)
        #expect(!box.exists("t.csv") && !box.exists("no"))
    }

    @Test func scoreRefusesBadEntityFilesAndOutputsAndLogsNothing() throws {
        let box = try ScoreTests.sandbox()
        // Every score through the alias is logged: a refused one must log nothing.
        try box.ok("models", "alias", "set", "churn", "production", "1", "--log-predictions")
        let entities = "user_id,label\n1,1\n2,0\n"
        try box.write("entities.csv", entities)
        try box.write("badkey.csv", "user_id\n1\nzz\n")
        try box.write("badage.csv", "user_id,age\n1,30\n2,abc\n")
        let score = ["score", "--model", "churn@production", "--entities"]
        try box.refuses([
            (score + ["entities.csv", "--out", "entities.csv"], 2,
             "--out entities.csv is the file given to --entities (entities.csv): writing the output there would destroy the input; choose another --out"),
            (score + ["entities.csv", "--out", "no/dir/o.csv"], 1,
             "--out no/dir/o.csv: cannot create it: directory 'no/dir': No such file or directory"),
            (score + ["badkey.csv", "--out", "o.csv"], 1, "badkey.csv:3: column 'user_id': cannot parse \"zz\" as int64"),
            (score + ["badage.csv", "--out", "o.csv"], 1, "badage.csv:3: column 'age': cannot parse \"abc\" as float64"),
            (score + ["entities.csv", "--out", "o.csv", "--point-in-time"], 1,
             "entities.csv has no timestamp column 'event_timestamp' for --point-in-time (its columns: user_id, label; name another with --timestamp-column)"),
        ])
        #expect(try box.read("entities.csv") == entities)
        #expect(!box.exists("o.csv") && !box.exists("o.csv.partial"))
    }
}

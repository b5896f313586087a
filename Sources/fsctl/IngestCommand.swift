import ArgumentParser
import FeatureStore
import Tabular

/// `fsctl ingest TABLE FILE...`: appends events, one atomic batch per file,
/// all files in one transaction (SPEC 5).
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Append events from CSV, JSONL or Parquet files to a feature table.",
        discussion: """
            All rows land or none do. A bad value or a failed expect aborts with an error naming file, \
            line and column, and the store is unchanged; --on-invalid skip lands the good rows and writes \
            the rejected ones, with reasons, to a JSONL file.
            """)

    enum FileFormat: String, ExpressibleByArgument, CaseIterable { case csv, jsonl, parquet }
    enum Destination: String, ExpressibleByArgument, CaseIterable { case offline, online, both }
    enum OnInvalid: String, ExpressibleByArgument, CaseIterable { case fail, skip }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The feature table.")
    var table: String

    @Argument(help: "CSV (header row), JSONL or Parquet files.")
    var files: [String]

    @Option(help: "The files' format (default: by extension: .csv, .jsonl/.ndjson/.json, .parquet/.pq).")
    var format: FileFormat?

    @Option(help: "offline (event log), online (latest-value table) or both.")
    var to: Destination = .offline

    @Option(help: "fail: abort on the first bad row; skip: land good rows, write bad ones to --rejects.")
    var onInvalid: OnInvalid = .fail

    @Option(help: ArgumentHelp("Where --on-invalid skip writes rejected rows (default: FILE.rejects.jsonl).",
                               valueName: "path"))
    var rejects: String?

    @Flag(help: "Ingest a file even if the same bytes were already ingested into this table.")
    var force = false

    @Flag(help: "Ignore columns the table does not have instead of failing.")
    var ignoreExtra = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one FILE to ingest") }
        if rejects != nil && onInvalid != .skip {
            throw ValidationError("--rejects needs --on-invalid skip")
        }
    }

    struct Result: Encodable {
        var table: String
        var rows: Int
        var rejected: Int
        var seconds: Double
        var batches: [BatchJSON]
        var rejects_files: [String: String]
    }

    func run() throws {
        let store = try global.openStore()
        var options = IngestOptions()
        options.format = format.map { IngestOptions.Format(rawValue: $0.rawValue)! }
        options.destination = switch to {
        case .offline: .offline
        case .online: .online
        case .both: .both
        }
        options.onInvalid = onInvalid == .skip ? .skip : .fail
        options.rejectsPath = rejects
        options.force = force
        options.ignoreExtraColumns = ignoreExtra
        let bar = Progress(label: "ingesting \(table)", unit: "rows", enabled: !global.quiet)
        options.progress = { rows in bar.update(rows) }
        let result: IngestResult
        do {
            result = try store.ingest(table: table, files: files, options: options)
            bar.finish()
        } catch {
            bar.finish()
            throw error
        }
        let seconds = bar.elapsed
        if global.json {
            return try Output.json(Result(table: table, rows: result.rows, rejected: result.rejected,
                                          seconds: seconds, batches: result.batches.map(BatchJSON.init),
                                          rejects_files: result.rejectsFiles))
        }
        var lines: [String] = []
        let timing = "(\(Format.seconds(seconds)), \(Format.rate(result.rows, seconds, unit: "rows")))"
        for b in result.batches {
            let target = b.destination == "offline" ? "" : " (\(b.destination == "both" ? "offline and online" : "online only"))"
            let from = result.batches.count > 1 ? " from \(b.source)" : ""
            var line = "ingested \(b.rows) \(b.rows == 1 ? "row" : "rows")\(from) into \(table)\(target) as batch \(b.id)"
            if result.batches.count == 1 { line += " " + timing }
            lines.append(line)
            if b.rejected > 0, let path = result.rejectsFiles[b.source] {
                lines.append("rejected \(Format.plural(b.rejected, "row")) of \(b.source); reasons in \(path)")
            }
        }
        if result.batches.count > 1 {
            lines.append("ingested \(result.rows) rows from \(result.batches.count) files \(timing)")
        }
        global.say(lines.joined(separator: "\n"))
    }
}

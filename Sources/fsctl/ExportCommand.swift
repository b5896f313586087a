import ArgumentParser
import FeatureStore
import Tabular
#if canImport(Glibc)
import Glibc
#endif

/// `fsctl export`: a point-in-time training set from an entity file (SPEC 7),
/// recorded with an id; `fsctl export --reproduce ID` writes a recorded one
/// again, byte for byte.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a point-in-time training set (CSV or Parquet), or reproduce one.",
        discussion: """
            For each entity row at time t and each table, the latest event with event_timestamp <= t (and >= t - ttl \
            when the table has a ttl). Rows keep the entity file's order; columns are the entity file's, then the \
            features. The output is Parquet when --out ends in .parquet or .pq, CSV otherwise. The export is recorded \
            as a training set (fsctl describe ts-...); --reproduce ID --out FILE writes it again, the same bytes, \
            whatever was ingested since.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The entity file: join keys, a timestamp, labels (CSV, JSONL or Parquet).",
                               valueName: "file"))
    var entities: String?

    @Option(name: .customLong("features"), help: ArgumentHelp(
        "Feature refs, comma-separated, repeatable: table:feature, table:*, table@N:feature.", valueName: "refs"))
    var features: [String] = []

    @Option(help: ArgumentHelp("A feature service (repeatable).", valueName: "name"))
    var service: [String] = []

    @Option(help: ArgumentHelp("The training set to write: .parquet/.pq for Parquet, else CSV.", valueName: "file"))
    var out: String?

    @Flag(help: "Name features table__feature.")
    var fullFeatureNames = false

    @Option(help: ArgumentHelp("Ignore events the store did not know at this time (ISO-8601).", valueName: "time"))
    var asOf: String?

    @Flag(help: "Ignore events created after each entity row's time (late data).")
    var createdBeforeEntity = false

    @Option(help: ArgumentHelp("The entity file's timestamp column (default: event_timestamp).", valueName: "name"))
    var timestampColumn: String?

    @Option(help: "The entity file's format (default: by extension: .csv, .jsonl/.ndjson/.json, .parquet/.pq).")
    var format: IngestCommand.FileFormat?

    @Option(help: ArgumentHelp("Write the recorded training set ID again (with --out only).", valueName: "id"))
    var reproduce: String?

    func validate() throws {
        guard out != nil else { throw ValidationError("give --out FILE") }
        if reproduce != nil {
            let others = [entities != nil ? "--entities" : nil, features.isEmpty ? nil : "--features",
                          service.isEmpty ? nil : "--service", fullFeatureNames ? "--full-feature-names" : nil,
                          asOf != nil ? "--as-of" : nil, createdBeforeEntity ? "--created-before-entity" : nil,
                          timestampColumn != nil ? "--timestamp-column" : nil, format != nil ? "--format" : nil]
                .compactMap { $0 }
            guard others.isEmpty else {
                throw ValidationError("--reproduce takes only --out: the training set fixes its entity file, "
                                      + "features and options (remove \(others.joined(separator: ", ")))")
            }
            return
        }
        guard entities != nil else { throw ValidationError("give --entities FILE (or --reproduce ID)") }
        guard !FeatureRef.splitList(features).isEmpty || !service.isEmpty else {
            throw ValidationError("give --features REFS or --service NAME")
        }
    }

    func run() throws {
        let out = out!
        try OutputPath.check(out, option: "--out", input: entities.map { ("--entities", $0) })
        if let reproduce { return try runReproduce(id: reproduce, out: out) }
        let refs = try CommandLineRefs.parse(features)
        var options = PointInTimeOptions()
        options.asOf = try asOf.map { try CommandLineTime.parse($0, what: "--as-of") }
        options.fullFeatureNames = fullFeatureNames
        options.createdBeforeEntity = createdBeforeEntity
        if let timestampColumn { options.timestampColumn = timestampColumn }
        let store = try global.openStore()
        let started = Self.nowMicros()
        let bar = Progress(label: "exporting \(out)", unit: "rows", enabled: !global.quiet)
        // Rows reach the callback once a block is joined (up to 1M rows read
        // first): draw the line at once so a terminal shows the export started.
        bar.update(0)
        let record: TrainingSetRecord
        do {
            record = try store.exportTrainingSet(
                entities: entities!, refs: refs, services: service, to: out,
                format: format.map { IngestOptions.Format(rawValue: $0.rawValue)! }, options: options,
                progress: { bar.update($0.rows) })
            bar.finish()
        } catch {
            bar.finish()
            throw error
        }
        if global.json { return try Output.json(TrainingSetJSON(record)) }
        var text = "exported \(Format.plural(record.rows, "row")) to \(out) as training set \(record.id) (\(Format.seconds(bar.elapsed)))"
        if record.createdAtMicros < started {
            // The same inputs on the same store state: the first export's record (and bytes).
            text += "\nsame inputs and store state as the export of \(Timestamp.format(record.createdAtMicros)) to \(record.output)"
        }
        global.say(text)
    }

    private func runReproduce(id: String, out: String) throws {
        let store = try global.openStore()
        let bar = Progress(label: "reproducing \(id)", unit: "rows", enabled: !global.quiet)
        bar.update(0)
        let record: TrainingSetRecord
        do {
            record = try store.reproduceTrainingSet(id: id, to: out, progress: { bar.update($0.rows) })
            bar.finish()
        } catch {
            bar.finish()
            throw error
        }
        if global.json { return try Output.json(TrainingSetJSON(record)) }
        global.say("reproduced training set \(record.id): \(Format.plural(record.rows, "row")) to \(out) (\(Format.seconds(bar.elapsed)))")
    }

    static func nowMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}

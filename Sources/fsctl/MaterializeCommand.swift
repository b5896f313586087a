import ArgumentParser
import FeatureStore

/// `fsctl materialize START END`: offline → online for an inclusive window (SPEC 6).
struct MaterializeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "materialize", abstract: "Copy the latest event per entity in [START, END] to the online table.",
        discussion: """
            Both bounds are inclusive. An online row is replaced only by a newer event, so running windows \
            out of order, or twice, is harmless.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Window start, ISO-8601 (e.g. 2025-11-15T00:00:00Z).")
    var start: String

    @Argument(help: "Window end, ISO-8601, inclusive.")
    var end: String

    @Option(help: ArgumentHelp("Only these tables (comma-separated, repeatable; default: all).", valueName: "a,b"))
    var tables: [String] = []

    func run() throws {
        let s = try CommandLineTime.parse(start, what: "START")
        let e = try CommandLineTime.parse(end, what: "END")
        guard s <= e else { throw UsageError("START (\(start)) is after END (\(end))") }
        let store = try global.openStore()
        let report = MaterializeReport(global: global)
        let result = try report.running { progress in
            try store.materialize(start: s, end: e, tables: CommandLineTime.tableList(tables), progress: progress)
        }
        try report.print(result)
    }
}

/// `fsctl materialize-incremental END`: from each table's watermark to END.
struct MaterializeIncrementalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "materialize-incremental",
        abstract: "Materialize each table from its watermark (the END of its last run) to END.",
        discussion: """
            A table's first run starts at END − ttl, or at the beginning of history when its ttl is 0. \
            The watermark moves only after the whole run committed.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Window end, ISO-8601, inclusive.")
    var end: String

    @Option(help: ArgumentHelp("Only these tables (comma-separated, repeatable; default: all).", valueName: "a,b"))
    var tables: [String] = []

    func run() throws {
        let e = try CommandLineTime.parse(end, what: "END")
        let store = try global.openStore()
        let report = MaterializeReport(global: global)
        let result = try report.running { progress in
            try store.materializeIncremental(end: e, tables: CommandLineTime.tableList(tables), progress: progress)
        }
        try report.print(result)
    }
}

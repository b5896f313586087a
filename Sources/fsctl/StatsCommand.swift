import ArgumentParser
import FeatureStore
import ModelRegistry
import Tabular

/// `fsctl stats`: sizes and counts — per table, per database, the map and
/// readers; `fsctl stats TABLE [--window START..END]`: the feature statistics
/// kept at ingest (``FeatureStatisticsOutput``).
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Show sizes and counts, or a table's feature statistics.",
        discussion: """
            Without TABLE: tables, databases, map use, readers. With TABLE: per feature count, nulls, \
            min, max, mean, std, p50/p90/p99 and top values, merged from the statistics kept per UTC day \
            at ingest (no event is read). --window START..END (ISO-8601, both inclusive) takes every day \
            it touches, whole. See docs/monitoring.md.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A feature table: show its feature statistics.")
    var table: String?

    @Option(help: ArgumentHelp("Only the UTC days this window touches (default: every day).", valueName: "START..END"))
    var window: String?

    @Option(name: .customLong("feature"),
            help: ArgumentHelp("Only these features (comma-separated, repeatable; default: all).", valueName: "name"))
    var features: [String] = []

    func validate() throws {
        if table == nil, window != nil || !features.isEmpty {
            throw ValidationError("--window and --feature need a TABLE")
        }
    }

    struct TableJSON: Encodable {
        var name: String
        var table_id: UInt32
        var versions: Int
        var events: Int
        var online_rows: Int
        var batches: Int
        var watermark: String?
        var last_ingest: String?
        var min_event_timestamp: String?
        var max_event_timestamp: String?
    }

    struct DatabaseJSON: Encodable {
        var name: String
        var entries: Int
        var bytes: Int
    }

    struct EventLogJSON: Encodable {
        var leaf_pages: Int
        var estimated_leaf_fill: Double?
    }

    struct Result: Encodable {
        var path: String
        var store_id: String
        var map_size: Int
        var used_bytes: Int
        var page_size: Int
        var readers_used: Int
        var max_readers: Int
        var tables: [TableJSON]
        var databases: [DatabaseJSON]
        var event_log: EventLogJSON
    }

    func run() throws {
        if let table {
            let w = try window.map { try DriftCommand.window($0, option: "--window") }
            let store = try global.openStore(readOnly: true)
            let s = try store.featureStatistics(table: table, window: w, features: CommandLineTime.tableList(features))
            let out = FeatureStatisticsOutput(s)
            if global.json { try Output.json(out) } else { global.say(out.text) }
            return
        }
        let store = try global.openStore(readOnly: true)
        let s = try store.statistics()
        // The model registry's databases follow the store's.
        let registry = try ModelRegistry(store: store).databaseSizes()
            .map { DatabaseJSON(name: $0.name, entries: $0.entries, bytes: $0.bytes) }
        let tables = s.tables.map {
            TableJSON(name: $0.name, table_id: $0.tableId, versions: $0.versions, events: $0.events,
                      online_rows: $0.onlineRows, batches: $0.batches, watermark: $0.watermark.map(Timestamp.format),
                      last_ingest: $0.lastIngest.map(Timestamp.format),
                      min_event_timestamp: $0.minEventTimestamp.map(Timestamp.format),
                      max_event_timestamp: $0.maxEventTimestamp.map(Timestamp.format))
        }
        let result = Result(path: s.path, store_id: s.storeId, map_size: s.mapSize, used_bytes: s.usedBytes,
                            page_size: s.pageSize, readers_used: s.readersUsed, max_readers: s.maxReaders,
                            tables: tables,
                            databases: s.databases.map { DatabaseJSON(name: $0.name, entries: $0.entries, bytes: $0.bytes) } + registry,
                            event_log: EventLogJSON(leaf_pages: s.eventLog.leafPages,
                                                    estimated_leaf_fill: s.eventLog.estimatedLeafFill.map { ($0 * 1000).rounded() / 1000 }))
        if global.json { return try Output.json(result) }
        var text = "store \(s.path) (id \(s.storeId))\n"
        text += "map: \(Self.bytes(s.usedBytes)) used of \(Self.bytes(s.mapSize)) (page size \(s.pageSize))\n"
        text += "readers: \(s.readersUsed) of \(s.maxReaders) slots\n\n"
        if tables.isEmpty {
            text += "no feature tables\n"
        } else {
            var t = TextTable(["TABLE", "ID", "VERSIONS", "EVENTS", "ONLINE ROWS", "BATCHES", "WATERMARK", "LAST INGEST"])
            for x in tables {
                t.add([x.name, String(x.table_id), String(x.versions), Format.thousands(x.events),
                       Format.thousands(x.online_rows), String(x.batches), x.watermark ?? "-", x.last_ingest ?? "-"])
            }
            text += t.render()
        }
        var d = TextTable(["DATABASE", "ENTRIES", "BYTES"])
        for x in result.databases { d.add([x.name, Format.thousands(x.entries), Self.bytes(x.bytes)]) }
        text += "\n" + d.render()
        if let line = Self.eventLogLine(s.eventLog) { text += "\n" + line + "\n" }
        global.say(text)
    }

    /// `event log: 344,828 leaf pages, about 98 % full`, with what to do
    /// when a log of some size (1,024 pages, 4 MiB) is less than 70 % full;
    /// nil for an empty log.
    static func eventLogLine(_ layout: EventLogLayout) -> String? {
        guard let fill = layout.estimatedLeafFill else { return nil }
        let pages = layout.leafPages == 1 ? "1 leaf page" : "\(Format.thousands(layout.leafPages)) leaf pages"
        var line = "event log: \(pages), about \(Int((fill * 100).rounded())) % full"
        if fill < 0.7 && layout.leafPages >= 1024 {
            line += " (later ingests split its pages; `fsctl backup DIR` writes a copy with full pages, "
                + "which point-in-time exports read faster)"
        }
        return line
    }

    /// `512 B`, `4.0 KiB`, `1.5 GiB`.
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var x = Double(n)
        var i = 0
        while x >= 1024, i < units.count - 1 { x /= 1024; i += 1 }
        return i == 0 ? "\(n) B" : "\(Format.oneDecimal(x)) \(units[i])"
    }
}

import FeatureStore
import Tabular

/// The progress line and the output shared by `materialize` and
/// `materialize-incremental`.
struct MaterializeReport {
    var global: GlobalOptions
    private let bar: Progress

    init(global: GlobalOptions) {
        self.global = global
        bar = Progress(label: "materializing", unit: "events", enabled: !global.quiet)
    }

    struct TableJSON: Encodable {
        var table: String
        var start: String?
        var end: String
        var events_scanned: Int
        var entities: Int
        var online_updated: Int
        var watermark: String
    }

    struct Result: Encodable {
        var tables: [TableJSON]
        var seconds: Double
    }

    /// Runs `body` with a progress callback that draws the bar.
    func running(_ body: (@escaping @Sendable (MaterializeProgress) -> Void) throws -> MaterializeResult) throws -> MaterializeResult {
        let bar = self.bar
        defer { bar.finish() }
        return try body { p in bar.update(p.eventsScanned, label: "materializing \(p.table)") }
    }

    func print(_ result: MaterializeResult) throws {
        let seconds = bar.elapsed
        if global.json {
            return try Output.json(Result(tables: result.tables.map {
                TableJSON(table: $0.table, start: $0.start.map(Timestamp.format), end: Timestamp.format($0.end),
                          events_scanned: $0.eventsScanned, entities: $0.entities,
                          online_updated: $0.onlineUpdated, watermark: Timestamp.format($0.watermark))
            }, seconds: seconds))
        }
        guard !result.tables.isEmpty else { return global.say("no feature tables to materialize") }
        var lines: [String] = []
        for t in result.tables {
            let from = t.start.map(Timestamp.format) ?? "the beginning"
            lines.append("materialized \(t.table) from \(from) to \(Timestamp.format(t.end)): "
                         + "\(Format.plural(t.eventsScanned, "event")) scanned, \(Format.plural(t.entities, "entity")), "
                         + "\(Format.thousands(t.onlineUpdated)) online rows updated; watermark \(Timestamp.format(t.watermark))")
        }
        let events = result.tables.reduce(0) { $0 + $1.eventsScanned }
        lines.append("done in \(Format.seconds(seconds)) (\(Format.rate(events, seconds, unit: "events")))")
        global.say(lines.joined(separator: "\n"))
    }
}

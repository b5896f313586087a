import ArgumentParser
import FeatureStore
import Tabular

/// `fsctl lineage REF [--upstream|--downstream] [--depth N] [--json] [--openlineage]`:
/// walks the lineage graph from a table, table version, feature, training
/// set, model, model version, alias, batch or file (SPEC 9, docs/lineage.md).
struct LineageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Walk the lineage graph from a table, feature, training set, model, alias or file.",
        discussion: """
            REF: user_stats (table), user_stats@2 (table version), user_stats:age (feature),
            ts-… (training set), churn (model), churn/3 (model version), churn@production (alias),
            batch:17, online:user_stats, or the path of a file that was ingested or exported from.
            Without --upstream or --downstream, both walks are shown. --openlineage prints one
            OpenLineage 2-0-2 RunEvent JSON line per run in the walk (ingest, materialize, export,
            register); without REF, every run of the store.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Where to start (see above); optional with --openlineage.")
    var ref: String?

    @Flag(name: .long, help: "Follow edges towards what REF was made from.")
    var upstream = false

    @Flag(name: .long, help: "Follow edges towards what was made from REF (training sets, models, aliases).")
    var downstream = false

    @Option(name: .long, help: ArgumentHelp("Stop this many edges away from REF.", valueName: "n"))
    var depth: Int?

    @Flag(name: .long, help: "Print OpenLineage 2-0-2 RunEvents, one JSON object per line.")
    var openlineage = false

    func validate() throws {
        if upstream && downstream { throw ValidationError("give --upstream or --downstream, not both (neither shows both)") }
        if ref == nil && !openlineage { throw ValidationError("missing REF (only --openlineage may go without one)") }
        if let depth, depth < 1 { throw ValidationError("--depth must be at least 1, got \(depth)") }
        if openlineage && global.json { throw ValidationError("--openlineage and --json are two output formats; give one") }
    }

    struct NodeJSON: Encodable {
        var kind: String
        var name: String
        init(_ n: LineageNode) { kind = n.kind.rawValue; name = n.name }
    }

    struct EdgeJSON: Encodable {
        var from: NodeJSON
        var to: NodeJSON
        var kind: String
        var at: String
        var at_micros: Int64
        var attributes: [String: String]
    }

    struct GraphJSON: Encodable {
        var root: NodeJSON
        var direction: String
        var nodes: [NodeJSON]
        var edges: [EdgeJSON]
    }

    func run() throws {
        let store = try global.openStore(readOnly: true)
        let direction: LineageGraph.Direction = upstream ? .upstream : downstream ? .downstream : .both
        let graph = try ref.map { try store.lineage(of: store.lineageNode(for: $0), direction: direction, depth: depth) }
        if openlineage {
            for event in try store.openLineageEvents(for: graph) { Output.out(try event.jsonLine() + "\n") }
            return
        }
        guard let graph else { return }
        if global.json {
            try Output.json(GraphJSON(
                root: NodeJSON(graph.root), direction: graph.direction.rawValue, nodes: graph.nodes.map(NodeJSON.init),
                edges: graph.edges.map {
                    EdgeJSON(from: NodeJSON($0.from), to: NodeJSON($0.to), kind: $0.kind,
                             at: Timestamp.format($0.atMicros), at_micros: $0.atMicros, attributes: $0.attributes)
                }))
            return
        }
        global.say(graph.renderTree())
    }
}

import ArgumentParser
import FeatureStore
import Tabular

/// `fsctl get`: online lookup of features for a few entities (SPEC 6).
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Look features up in the online table.",
        discussion: """
            Statuses: PRESENT, NULL_VALUE, NOT_FOUND, and OUTSIDE_MAX_AGE when the event is older than the \
            table's ttl relative to now (or --at): such a value comes back null, with its event timestamp.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("features"), help: ArgumentHelp(
        "Feature refs, comma-separated, repeatable: table:feature, table:*, table@N:feature.", valueName: "refs"))
    var features: [String] = []

    @Option(help: ArgumentHelp("A feature service (repeatable).", valueName: "name"))
    var service: [String] = []

    @Option(help: ArgumentHelp("One entity per use: every join key as key=value, comma-separated.",
                               valueName: "k=v[,k2=v2]"))
    var entity: [String] = []

    @Option(help: ArgumentHelp("Evaluate TTLs at this time instead of now (ISO-8601).", valueName: "time"))
    var at: String?

    @Flag(help: "Name features table__feature.")
    var fullFeatureNames = false

    func validate() throws {
        guard !FeatureRef.splitList(features).isEmpty || !service.isEmpty else {
            throw ValidationError("give --features REFS or --service NAME")
        }
        guard !entity.isEmpty else { throw ValidationError("give at least one --entity key=value") }
    }

    func run() throws {
        let refs = try CommandLineRefs.parse(features)
        let entities = try entity.map(Self.parseEntity)
        let time = try at.map { try CommandLineTime.parse($0, what: "--at") }
        let store = try global.openStore(readOnly: true)
        let result = try store.onlineFeatures(refs: refs, services: service,
                                              entities: entities, at: time, fullFeatureNames: fullFeatureNames)
        if global.json {
            let json = result.feastJSON()
            return Output.out(json.hasSuffix("\n") ? json : json + "\n")
        }
        var table = TextTable(result.featureNames)
        let rows = result.columns.first?.values.count ?? 0
        for row in 0..<rows {
            table.add(result.columns.map { Self.cell($0, row) })
        }
        global.say(table.render())
    }

    /// `user_id=1,region=eu` → `["user_id": "1", "region": "eu"]`.
    static func parseEntity(_ text: String) throws -> [String: String] {
        var keys: [String: String] = [:]
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw UsageError("--entity: expected key=value[,key2=value2], got \"\(text)\"")
            }
            let key = String(pair[..<eq]).trimmingCharacters(in: " ")
            guard keys[key] == nil else { throw UsageError("--entity: join key '\(key)' is given twice in \"\(text)\"") }
            keys[key] = String(pair[pair.index(after: eq)...])
        }
        return keys
    }

    /// The value when present, else the status's name (`NULL_VALUE`,
    /// `NOT_FOUND`, `OUTSIDE_MAX_AGE`), as Feast spells it.
    static func cell(_ column: OnlineColumn, _ row: Int) -> String {
        switch column.statuses[row] {
        case .present: column.values[row].map { $0.description } ?? FeatureStatus.nullValue.rawValue
        default: column.statuses[row].rawValue
        }
    }
}

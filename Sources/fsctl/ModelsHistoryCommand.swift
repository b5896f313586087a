import ArgumentParser
import FeatureStore
import ModelRegistry
import Tabular

/// `fsctl models history NAME`: every alias move, oldest first.
struct ModelsHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List every alias move of a model: when, who, from and to which version.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The model.")
    var name: String

    func run() throws {
        let moves = try global.openRegistry(readOnly: true).history(name)
        if global.json { return try Output.json(moves.map(AliasMoveJSON.init)) }
        guard !moves.isEmpty else { return global.say("no alias moves for model \(name)") }
        var t = TextTable(["#", "TIME", "BY", "ALIAS", "ACTION", "FROM", "TO", "GATES"])
        for m in moves {
            let from = m.fromVersion.map { String($0) + ModelsText.canary(m.fromCanary) + ModelsText.logging(m.fromLogPredictions) } ?? "-"
            let to = m.toVersion.map { String($0) + ModelsText.canary(m.toCanary) + ModelsText.logging(m.toLogPredictions) } ?? "-"
            t.add([String(m.sequence), Timestamp.format(m.atMicros), m.by, m.alias, m.action.rawValue, from, to,
                   m.gates.joined(separator: " ")])
        }
        global.say(t.render())
    }
}

import ArgumentParser
import FeatureStore
import ModelRegistry

/// `fsctl models alias delete NAME ALIAS`.
struct ModelsAliasDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete NAME@ALIAS (recorded in the history).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The model.")
    var name: String

    @Argument(help: "The alias.")
    var alias: String

    func run() throws {
        let move = try global.openRegistry().deleteAlias(name, alias)
        if global.json { return try Output.json(AliasMoveJSON(move)) }
        global.say("deleted alias \(name)@\(alias) (was \(move.fromVersion.map(String.init) ?? "-")"
                   + "\(ModelsText.canary(move.fromCanary)))")
    }
}

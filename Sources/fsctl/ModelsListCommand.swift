import ArgumentParser
import FeatureStore
import ModelRegistry

/// `fsctl models list`: every model with its versions and aliases.
struct ModelsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List models with their versions and aliases.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let models = try global.openRegistry(readOnly: true).models()
        if global.json { return try Output.json(models.map(ModelRowJSON.init)) }
        global.say(models.isEmpty ? "no models\n" : ModelsText.table(models))
    }
}

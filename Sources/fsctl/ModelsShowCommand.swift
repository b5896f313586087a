import ArgumentParser
import FeatureStore
import ModelRegistry

/// `fsctl models show NAME|NAME/V|NAME@ALIAS`: a model with all its versions,
/// or one version in full.
struct ModelsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a model (NAME: every version) or one version (NAME/V, NAME@ALIAS).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "NAME, NAME/V or NAME@ALIAS.")
    var ref: String

    func run() throws {
        let ref = try ModelRef(parsing: self.ref)
        let registry = try global.openRegistry(readOnly: true)
        if ref.selector == .latest && !self.ref.hasSuffix("@latest") {
            let model = try registry.model(ref.name)
            if global.json { return try Output.json(ModelJSON(model)) }
            return global.say(ModelsText.model(model))
        }
        let v = try registry.version(ref)
        let aliases = try registry.aliases(pointingAt: v)
        if global.json { return try Output.json(ModelVersionJSON(v, aliases: aliases)) }
        global.say(ModelsText.version(v, aliases: aliases, artifact: try registry.artifactRecord(of: v)))
    }
}

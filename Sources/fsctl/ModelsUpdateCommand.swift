import ArgumentParser
import FeatureStore
import ModelRegistry

/// `fsctl models update NAME/V [--tag k=v]… [--remove-tag k]… [--description TEXT]`:
/// the mutable fields of a version.
struct ModelsUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change a version's tags or description (everything else is immutable).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "NAME/V or NAME@ALIAS.")
    var ref: String

    @Option(help: ArgumentHelp("Set a tag, KEY=VALUE (repeatable).", valueName: "k=v"))
    var tag: [String] = []

    @Option(help: ArgumentHelp("Remove a tag (repeatable).", valueName: "key"))
    var removeTag: [String] = []

    @Option(help: ArgumentHelp("Replace the description (\"\" clears it).", valueName: "text"))
    var description: String?

    func validate() throws {
        if tag.isEmpty && removeTag.isEmpty && description == nil {
            throw ValidationError("nothing to change: give --tag, --remove-tag or --description")
        }
    }

    func run() throws {
        let tags = try UsageError.parsing { try ModelRegistration.pairs(tag, what: "tag") }
        let registry = try global.openRegistry()
        let v = try registry.update(try ModelRef(parsing: ref), tags: tags,
                                    removingTags: removeTag, description: description)
        if global.json { return try Output.json(ModelVersionJSON(v, aliases: try registry.aliases(pointingAt: v))) }
        global.say("updated \(v.ref)")
    }
}

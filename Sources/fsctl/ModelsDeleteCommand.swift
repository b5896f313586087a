import ArgumentParser
import FeatureStore
import ModelRegistry

/// `fsctl models delete NAME/V`: refused while an alias points at the version.
struct ModelsDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a model version (refused while an alias points at it).",
        discussion: "Its artifact is removed when no other version references it. Version numbers are never reused.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "NAME/V.")
    var ref: String

    struct Result: Encodable {
        var ref: String
        var sha256: String
        var artifact_removed: Bool
    }

    func run() throws {
        let deleted = try global.openRegistry().delete(try ModelRef(parsing: ref))
        if global.json {
            return try Output.json(Result(ref: deleted.version.ref, sha256: deleted.version.sha256,
                                          artifact_removed: deleted.artifactRemoved))
        }
        global.say("deleted \(deleted.version.ref) ("
                   + (deleted.artifactRemoved ? "artifact removed" : "artifact kept: other versions use it") + ")")
    }
}

import ArgumentParser
import FeatureStore
import ModelRegistry

/// `fsctl models download NAME[/V|@ALIAS] --out FILE`: the artifact, hash-verified.
struct ModelsDownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download", abstract: "Write a version's artifact to a file, verifying its SHA-256.",
        discussion: "The file appears only when every chunk and the whole content match the stored hashes.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "NAME (newest version), NAME/V or NAME@ALIAS.")
    var ref: String

    @Option(help: ArgumentHelp("Where to write the artifact.", valueName: "file"))
    var out: String

    struct Result: Encodable {
        var ref: String
        var out: String
        var size: Int
        var sha256: String
        var format: String
    }

    func run() throws {
        let v = try global.openRegistry(readOnly: true).download(try ModelRef(parsing: ref), to: out)
        if global.json {
            return try Output.json(Result(ref: v.ref, out: out, size: v.size, sha256: v.sha256, format: v.format.rawValue))
        }
        global.say("wrote \(out) (\(v.ref), \(v.format.rawValue), \(Format.plural(v.size, "byte")), sha256 \(v.sha256) verified)")
    }
}

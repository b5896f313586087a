import ArgumentParser
import FeatureStore
#if canImport(Glibc)
import Glibc
#endif

/// `fsctl init [DIR]`: creates an empty store (harmless where one exists).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create an empty store.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Where to create it (default: --store, $FSCTL_STORE, ./feature_store).")
    var dir: String?

    struct Result: Encodable {
        var path: String
        var created: Bool
        var store_id: String
    }

    func run() throws {
        let path = dir ?? global.storePath
        var st = stat()
        let existed = stat(path + "/data.mdb", &st) == 0
        let store = try Store.create(at: path)
        let result = Result(path: path, created: !existed, store_id: try store.storeId())
        if global.json { return try Output.json(result) }
        global.say(existed ? "store at \(path) already exists; nothing changed" : "created an empty store at \(path)")
    }
}

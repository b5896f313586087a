import ArgumentParser
import FeatureStore
import LMDB
#if canImport(Glibc)
import Glibc
#endif

/// The options every subcommand takes (SPEC 4), in one `@OptionGroup`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The store directory (default: $FSCTL_STORE, else ./feature_store).", valueName: "dir"))
    var store: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of text (see docs/cli.md).")
    var json = false

    @Flag(name: .long, help: "Print nothing but errors and --json output; no progress bar.")
    var quiet = false

    /// `--store`, else `$FSCTL_STORE`, else `./feature_store`.
    var storePath: String {
        if let store, !store.isEmpty { return store }
        if let env = getenv("FSCTL_STORE"), let value = String(validatingCString: env), !value.isEmpty {
            return value
        }
        return "./feature_store"
    }

    /// Opens the existing store; `readOnly` for commands that only read, so
    /// they never wait on (or block) a writer.
    func openStore(readOnly: Bool = false) throws -> Store {
        var options = Environment.Options()
        options.readOnly = readOnly
        return try Store.open(at: storePath, options: options)
    }

    /// Prints a text result unless `--quiet` (JSON results always print).
    func say(_ text: String) {
        guard !quiet else { return }
        Output.out(text.hasSuffix("\n") || text.isEmpty ? text : text + "\n")
    }
}

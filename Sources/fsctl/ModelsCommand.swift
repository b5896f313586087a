import ArgumentParser
import FeatureStore
import ModelRegistry

/// `fsctl models …`: the model registry (SPEC 8, docs/registry.md).
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Register, list, show, alias, download and delete model versions.",
        discussion: """
            A version is NAME/V, an alias NAME@ALIAS, the newest version NAME (or NAME@latest).
            `alias set` exits 3 when a --require quality gate fails (nothing changes).
            """,
        subcommands: [
            ModelsRegisterCommand.self, ModelsListCommand.self, ModelsShowCommand.self, ModelsAliasCommand.self,
            ModelsHistoryCommand.self, ModelsDownloadCommand.self, ModelsUpdateCommand.self, ModelsDeleteCommand.self,
        ])

    /// How many arguments from `start` name (nested) subcommands, so that
    /// `fsctl --json models alias set …` moves the global options after the
    /// last name: 3 for `models alias set`, 2 for `models list`, else 1.
    static func subcommandPathLength(_ args: [String], from start: Int) -> Int {
        func isName(_ i: Int) -> Bool { i < args.count && !args[i].hasPrefix("-") }
        guard args[start] == "models", isName(start + 1) else { return 1 }
        return args[start + 1] == "alias" && isName(start + 2) ? 3 : 2
    }
}

/// `fsctl models alias set|delete`.
struct ModelsAliasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias", abstract: "Point an alias at a version (with quality gates and canaries), or delete it.",
        subcommands: [ModelsAliasSetCommand.self, ModelsAliasDeleteCommand.self])
}

extension GlobalOptions {
    /// The store's model registry; `readOnly` for commands that only read.
    func openRegistry(readOnly: Bool = false) throws -> ModelRegistry {
        try ModelRegistry(store: try openStore(readOnly: readOnly))
    }
}

import ArgumentParser
import FeatureStore
import Tabular

/// `fsctl tokens create|list|revoke`: API tokens for `fsctl serve` (SPEC 10).
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Create, list and revoke API tokens for `fsctl serve`.",
        discussion: """
            Tokens are stored hashed (SHA-256): the token itself is printed once, by `create`. Scopes are \
            levels: read (lookups, catalog, health, predict) < write (also push) < admin (everything).
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it (only this once) on stdout.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("read, write or admin.", valueName: "scope"))
        var scope: String
        @Option(help: ArgumentHelp("A note to tell tokens apart in `list`.", valueName: "text"))
        var name = ""

        func validate() throws {
            guard TokenScope(rawValue: scope) != nil else { throw ValidationError("--scope must be read, write or admin, not '\(scope)'") }
        }

        func run() throws {
            let book = try global.openStore().tokenBook()
            let (token, record) = try book.create(scope: TokenScope(rawValue: scope)!, name: name)
            if global.json {
                return try Output.json(TokenJSON(record, token: token))
            }
            Output.out(token + "\n")
            if !global.quiet {
                Output.err("token \(record.id) (scope \(record.scope.rawValue)) created; it is shown only this once\n")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (ids and scopes, never the tokens).")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let store = try global.openStore()
            let records = try store.tokenBook().list()
            if global.json { return try Output.json(records.map { TokenJSON($0, token: nil) }) }
            var table = TextTable(["ID", "SCOPE", "CREATED", "NAME"])
            for r in records { table.add([r.id, r.scope.rawValue, Timestamp.format(r.createdAtMicros), r.name]) }
            global.say(records.isEmpty ? "no tokens" : table.render())
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its id (as `list` shows it).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The token's id, or a unique prefix of at least 4 digits.", valueName: "id"))
        var id: String

        func run() throws {
            let record = try global.openStore().tokenBook().revoke(id: id)
            if global.json { return try Output.json(TokenJSON(record, token: nil)) }
            global.say("revoked token \(record.id) (scope \(record.scope.rawValue))")
        }
    }
}

/// `{id, scope, name, created_at, token?}`.
struct TokenJSON: Encodable {
    var id: String
    var scope: String
    var name: String
    var created_at: String
    var token: String?

    init(_ r: TokenRecord, token: String?) {
        id = r.id; scope = r.scope.rawValue; name = r.name
        created_at = Timestamp.format(r.createdAtMicros)
        self.token = token
    }
}

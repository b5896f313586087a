import Foundation
import Testing

/// Exit codes and messages for misuse of the command line itself.
@Suite struct UsageTests {
    @Test func helpExitsZero() throws {
        let box = try Sandbox()
        let r = try box.run("--help")
        #expect(r.code == 0)
        for command in ["init", "apply", "list", "describe", "delete", "ingest", "materialize",
                        "materialize-incremental", "get", "check", "stats"] {
            #expect(r.stdout.contains("  \(command) "), "help lacks \(command)")
        }
        #expect(try box.run("ingest", "--help").stdout.contains("--on-invalid"))
    }

    @Test(arguments: [
        ["frobnicate"],
        ["apply"],
        ["describe"],
        ["delete", "table"],
        ["ingest", "user_stats"],
        ["list", "--json=yes"],
    ])
    func usageErrorsExitTwo(args: [String]) throws {
        let box = try Sandbox.withExample()
        let r = try box.run(args)
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.hasPrefix("error: "), "\(r)")
        #expect(r.stdout == "")
    }
}

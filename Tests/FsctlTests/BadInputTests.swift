import Foundation
import Testing

/// The house rule, input by input (docs/errors.md): bad input gets an error
/// naming the file, line, field and value and what was expected, with exit
/// code 1 (2 for a misused command line), and the store's records stay
/// byte-identical (``Sandbox/refuses(_:sourceLocation:)``). One sandbox per
/// test and several cases per test, to keep the suite fast. The cases here
/// are the ones other suites did not already pin; docs/errors.md maps each
/// input to the tests that cover it.
@Suite struct BadInputTests {
    /// The example store with one ingested file, so that "unchanged" has content to compare.
    static func ingested() throws -> Sandbox {
        let box = try Sandbox.withExample()
        try box.write("events.csv", Examples.csv)
        try box.ok("ingest", "user_stats", "events.csv", "--to", "both")
        return box
    }
}

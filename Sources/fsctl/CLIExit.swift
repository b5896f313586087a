import FeatureStore
import LMDB
import Tabular

/// Exit codes (SPEC 4) and the one place errors are printed.
enum CLIExit {
    static let ok: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
    static let conditionFound: Int32 = 3

    /// Whether `error` is one fsctl or the library throws (as opposed to
    /// ArgumentParser's parse errors and help requests).
    static func isOwn(_ error: any Error) -> Bool {
        error is FeatureStoreError || error is CatalogError || error is TabularError || error is LMDBError
            || error is UsageError || error is ConditionFound
    }

    /// Prints `error: <message>` to stderr for `error` and returns its exit code.
    static func report(_ error: any Error) -> Int32 {
        switch error {
        case let e as ConditionFound:
            if !e.message.isEmpty { Output.err("\(e.message)\n") }
            return conditionFound
        case let e as UsageError:
            Output.err("error: \(e.message)\n")
            return usage
        default:
            Output.err("error: \(message(for: error))\n")
            return failure
        }
    }

    /// The user-facing text of a library error: its description, which names
    /// file, line and value. Never a type dump.
    static func message(for error: any Error) -> String {
        switch error {
        case let e as FeatureStoreError: return e.message
        case let e as CatalogError: return e.description
        case let e as TabularError: return e.description
        case let e as LMDBError: return e.description
        case let e as CustomStringConvertible: return e.description
        default: return "unexpected failure (\(type(of: error)))"
        }
    }
}

/// A bad command-line value that ArgumentParser cannot see (a timestamp, an
/// `--entity` pair): printed as `error: <message>`, exit code 2.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }

    /// Runs a library parser on a command-line value (`--metric`, `--require`,
    /// `--canary`, a model `--format`, a feature ref): its invalid-input
    /// error is a usage error (exit 2, SPEC 4) with the same message.
    static func parsing<T>(_ parse: () throws -> T) throws -> T {
        do { return try parse() } catch let e as FeatureStoreError {
            if e.kind == .invalidInput { throw UsageError(e.message) }
            throw e
        } catch let e as CatalogError {
            throw UsageError(e.description)
        }
    }
}

/// The command ran and found what it looks for (problems in `fsctl check`):
/// exit code 3 after its report was printed.
struct ConditionFound: Error {
    var message: String = ""
}

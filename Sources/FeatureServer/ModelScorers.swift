import Dispatch
import FeatureStore
import Inference
import ModelRegistry
import NIOConcurrencyHelpers
import WireProtocol

/// The server's ``Scorer``s by model ref as written (`churn@production`),
/// built on first use and re-resolved against the registry at most once per
/// ``ServerConfiguration/modelRefreshSeconds``: an alias move (or its
/// prediction-logging setting switched), a new latest
/// version or a catalog change then builds a new scorer (loaded artifacts
/// stay in ``ModelCache``, so only versions not seen before are parsed).
final class ModelScorers: Sendable {
    let registry: ModelRegistry
    /// How long a resolved scorer is served before the registry is asked again.
    let refreshNanos: UInt64
    private let entries = NIOLockedValueBox([String: Entry]())

    /// What a scorer was built from: its routing, the alias's logging setting
    /// and the catalog generation.
    struct Fingerprint: Hashable, Sendable {
        var versions: [Int]
        var canary: [Double]
        var logsPredictions = false
        var catalogGeneration: UInt64
    }

    struct Entry: Sendable {
        var scorer: ServedModel
        var fingerprint: Fingerprint
        var checkedAtNanos: UInt64
    }

    init(store: Store, refreshSeconds: Double) throws {
        registry = try ModelRegistry(store: store)
        refreshNanos = UInt64(max(0, refreshSeconds) * 1e9)
    }

    /// The scorer of `ref`, with its encoded reply head; errors are wire errors
    /// (`INVALID_ARGUMENT` for a bad ref, `NOT_FOUND` for an unknown model,
    /// version or alias, `MODEL_NOT_SERVABLE` for a version that cannot be scored).
    func scorer(_ ref: String) throws -> ServedModel { try checked(ref).model }

    /// ``scorer(_:)`` with the time (`DispatchTime` uptime ns) its routing
    /// was last checked against the registry: a connection may keep serving
    /// it without this lock until ``refreshNanos`` after that time, exactly
    /// as this cache would.
    func checked(_ ref: String) throws -> (model: ServedModel, checkedAtNanos: UInt64) {
        let now = DispatchTime.now().uptimeNanoseconds
        let cached = entries.withLockedValue { $0[ref] }
        if let cached, now &- cached.checkedAtNanos < refreshNanos { return (cached.scorer, cached.checkedAtNanos) }
        let parsed: ModelRef
        do { parsed = try ModelRef(parsing: ref) } catch { throw WireConversion.wireError(error) }
        let fingerprint = try Self.servable { try self.fingerprint(parsed) }
        if let cached, cached.fingerprint == fingerprint {
            entries.withLockedValue { $0[ref]?.checkedAtNanos = now }
            return (cached.scorer, now)
        }
        let scorer = try Self.servable {
            let s = try Scorer(registry: registry, reference: parsed)
            try s.checkKinds()
            return ServedModel(s)
        }
        entries.withLockedValue { table in
            if table.count >= 1024 { table.removeAll() }
            table[ref] = Entry(scorer: scorer, fingerprint: fingerprint, checkedAtNanos: now)
        }
        return (scorer, now)
    }

    /// Forgets `ref` (its scorer hit a catalog conflict: build it again).
    func forget(_ ref: String) { entries.withLockedValue { _ = $0.removeValue(forKey: ref) } }

    /// The routing `ref` resolves to now.
    func fingerprint(_ ref: ModelRef) throws -> Fingerprint {
        let generation = try registry.store.catalogGeneration()
        if case .alias(let name) = ref.selector {
            let alias = try registry.alias(ref.name, name)
            return Fingerprint(versions: alias.versions, canary: alias.canary.map(\.percent),
                               logsPredictions: alias.logPredictions, catalogGeneration: generation)
        }
        return Fingerprint(versions: [try registry.version(ref).version], canary: [], catalogGeneration: generation)
    }

    /// Runs `body`, mapping the store's errors to wire errors: not found stays
    /// `NOT_FOUND`; anything about the model itself (a bad artifact, no feature
    /// refs, inputs that cannot be read, canaries of another kind) is
    /// `MODEL_NOT_SERVABLE` with the loader's message.
    static func servable<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let e as FeatureStoreError {
            switch e.kind {
            case .notFound: throw WireError(.notFound, e.message)
            case .invalidInput, .corrupt: throw WireError(.modelNotServable, e.message)
            default: throw WireConversion.wireError(e)
            }
        } catch let e as WireError {
            throw e
        } catch {
            throw WireError(.modelNotServable, "\(error)")
        }
    }
}

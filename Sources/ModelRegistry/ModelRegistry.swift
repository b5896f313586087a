import FeatureStore
import LMDB
#if canImport(Glibc)
import Glibc
#endif

/// The model registry of a store (SPEC 8): models with immutable numbered
/// versions, content-addressed artifacts, aliases with canary splits, quality
/// gates and a full history of alias moves.
///
/// It lives in the store's LMDB environment, in its own named databases
/// (docs/storage-format.md), and every command is one write transaction: a
/// version, its artifact and its lineage edges commit together or not at all.
/// Two processes registering at once get distinct versions; none is lost.
///
/// ```swift
/// let store = try Store.open(at: "./feature_store")
/// let registry = try ModelRegistry(store: store)
/// let v = try registry.register(ModelRegistration(
///     name: "churn", artifactFile: "model.json", format: .xgboostJSON,
///     features: ["user_stats:age", "user_stats:num_purchases"], metrics: ["auc": 0.91]))
/// try registry.setAlias("churn", "production", version: v.version, require: [QualityGate(parsing: "auc>=0.85")])
/// let production = try registry.version(try ModelRef(parsing: "churn@production"))
/// ```
public final class ModelRegistry: @unchecked Sendable {
    /// The store the registry lives in.
    public let store: Store
    /// Checks an artifact's bytes at registration (``LoadingArtifactValidator``,
    /// a real load with ModelFormats, by default).
    public let validator: any ArtifactValidator
    /// Bytes per stored artifact chunk (1 MiB by default); artifacts already
    /// stored keep the chunk size they were written with.
    public let chunkSize: Int
    /// Nil only for a read-only store in which no model was ever registered.
    let db: Databases?

    /// The registry's named databases.
    struct Databases {
        let models: Database
        let versions: Database
        let aliases: Database
        let history: Database
        let artifacts: Database
        let artifactRefs: Database
    }

    /// The names of the registry's databases, in the order of ``Databases``.
    static let databaseNames = ["models", "model_versions", "model_aliases", "model_alias_history",
                                "artifacts", "artifact_refs"]

    /// Opens the registry of `store`, creating its databases when the store is
    /// writable.
    public init(store: Store, validator: any ArtifactValidator = LoadingArtifactValidator(),
                chunkSize: Int = 1 << 20) throws {
        precondition(chunkSize > 0, "chunkSize must be positive")
        self.store = store
        self.validator = validator
        self.chunkSize = chunkSize
        let env = store.environment
        let create = !env.options.readOnly
        var opened: [Database] = []
        for name in Self.databaseNames {
            do {
                opened.append(try env.openDatabase(name, create: create))
            } catch let e as LMDBError where e.code == .notFound && !create {
                break
            }
        }
        db = opened.count == Self.databaseNames.count
            ? Databases(models: opened[0], versions: opened[1], aliases: opened[2], history: opened[3],
                        artifacts: opened[4], artifactRefs: opened[5])
            : nil
    }

    /// The databases, for a write (a read-only store without them cannot be written anyway).
    func writable() throws -> Databases {
        guard let db else { throw RegistryError.io("\(store.path): the store is open read-only") }
        return db
    }

    /// Who is acting, for the history: `$FSCTL_USER`, else the login name,
    /// else `uid N`. The server passes `token:NAME` instead.
    public static func currentActor() -> String {
        if let v = getenv("FSCTL_USER"), let s = String(validatingCString: v), !s.isEmpty { return s }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name, let s = String(validatingCString: name), !s.isEmpty {
            return s
        }
        if let v = getenv("USER"), let s = String(validatingCString: v), !s.isEmpty { return s }
        return "uid \(geteuid())"
    }
}

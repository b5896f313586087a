import FeatureStore
import Foundation
import ModelFormats
import ModelRegistry

/// Loaded artifacts, kept per model version so that a version is parsed once
/// per process however many ``Scorer``s use it (an alias move builds a new
/// scorer; the versions it already had are not loaded again).
///
/// Keyed by model name, version and artifact SHA-256 (a deleted and
/// re-registered version number with other bytes is loaded anew).
///
/// ```swift
/// let cache = ModelCache()
/// let scorer = try Scorer(registry: registry, reference: "churn@production", cache: cache)
/// ```
public final class ModelCache: @unchecked Sendable {
    private let lock = NSLock()
    private var models: [String: any LoadedModel] = [:]

    /// The process-wide cache ``Scorer`` uses by default.
    public static let shared = ModelCache()

    /// Makes an empty cache.
    public init() {}

    /// Number of loaded versions held.
    public var count: Int { lock.withLock { models.count } }

    /// The loaded artifact of `version`, reading and loading it from `registry` the first time.
    public func model(for version: ModelVersion, registry: ModelRegistry) throws -> any LoadedModel {
        let key = "\(version.model)/\(version.version)/\(version.sha256)"
        if let hit = lock.withLock({ models[key] }) { return hit }
        let (_, bytes) = try registry.artifact(ModelRef(name: version.model, selector: .version(version.version)))
        let model: any LoadedModel
        do {
            model = try ModelLoader.load(bytes, format: version.format)
        } catch {
            throw FeatureStoreError(.invalidInput, "model version \(version.ref) (\(version.artifactName)): \(error)")
        }
        lock.withLock { models[key] = model }
        return model
    }

    /// Forgets every loaded model.
    public func removeAll() { lock.withLock { models.removeAll() } }
}

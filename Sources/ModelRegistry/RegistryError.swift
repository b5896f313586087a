import FeatureStore

/// The registry's errors are the store's (``FeatureStoreError``), so front
/// ends map them to exit codes and wire error codes one way: bad input,
/// not found, conflict (an aliased version), corrupt (an artifact whose
/// bytes no longer match their hash), I/O. A failed quality gate is a
/// separate type, ``QualityGateFailure``, because it is an answer, not a fault.
enum RegistryError {
    static func invalid(_ m: String) -> FeatureStoreError { .init(.invalidInput, m) }
    static func notFound(_ m: String) -> FeatureStoreError { .init(.notFound, m) }
    static func conflict(_ m: String) -> FeatureStoreError { .init(.conflict, m) }
    static func corrupt(_ m: String) -> FeatureStoreError { .init(.corrupt, m) }
    static func io(_ m: String) -> FeatureStoreError { .init(.io, m) }
}

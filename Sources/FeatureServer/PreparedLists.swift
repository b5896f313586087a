import FeatureStore
import NIOCore
import NIOConcurrencyHelpers
import Tabular
import WireProtocol

/// One prepared feature list: the selection, its columns on the wire, and the
/// store's prepared query, valid for one catalog generation.
final class PreparedList: Sendable {
    let id: UInt32
    let selection: FeatureSelection
    let columns: FeatureListColumns
    let featureTypes: [WireType]
    /// `count` and type descriptors of the features, as a GET_ONLINE reply carries them.
    let typesBytes: [UInt8]
    let query: OnlineQuery
    let generation: UInt64

    init(id: UInt32, selection: FeatureSelection, query: OnlineQuery, generation: UInt64) {
        self.id = id
        self.selection = selection
        self.query = query
        self.generation = generation
        let keys = query.joinKeys.map { WireField($0.name, WireConversion.wireType($0.type)) }
        let nameOffset = query.joinKeys.count
        let features = query.features.enumerated().map { i, f in
            ListedFeature(name: query.columnNames[nameOffset + i], ref: f.ref.description, type: WireConversion.wireType(f.feature.type))
        }
        columns = FeatureListColumns(joinKeys: keys, features: features)
        featureTypes = features.map(\.type)
        var types = ByteBuffer()
        types.writeWireCount(featureTypes.count)
        for t in featureTypes { types.writeWireType(t) }
        typesBytes = Array(types.readableBytesView)
    }
}

/// The server-wide registry of prepared lists: the same selection always gets
/// the same id; a list is re-resolved when the catalog generation moved, and
/// refused as stale when its columns changed.
final class PreparedLists: Sendable {
    private struct State {
        var byId: [UInt32: PreparedList] = [:]
        var bySelection: [FeatureSelection: UInt32] = [:]
        var nextId: UInt32 = 1
    }

    private let state = NIOLockedValueBox(State())
    let store: Store
    /// Most distinct lists per server process.
    let capacity: Int

    init(store: Store, capacity: Int = 4096) {
        self.store = store
        self.capacity = capacity
    }

    /// The list for `selection` as prepared last (prepared now when new),
    /// without checking the catalog generation: for callers that check it in
    /// their own read transaction (``OnlineQuery/read(entities:at:into:requiring:)``).
    func prepare(_ selection: FeatureSelection) throws -> PreparedList {
        if let existing = state.withLockedValue({ s in s.bySelection[selection].flatMap { s.byId[$0] } }) { return existing }
        return try prepareNow(selection)
    }

    /// The list for `selection` (prepared now when new or stale).
    func prepare(_ selection: FeatureSelection, generation: UInt64) throws -> PreparedList {
        let existing = state.withLockedValue { s in s.bySelection[selection].flatMap { s.byId[$0] } }
        if let existing, existing.generation == generation { return existing }
        return try prepareNow(selection)
    }

    private func prepareNow(_ selection: FeatureSelection) throws -> PreparedList {
        let query = try store.onlineQuery(refs: selection.refs, services: selection.services,
                                          fullFeatureNames: selection.fullFeatureNames)
        // Stamped with the generation its catalog was read at (not the caller's, which may be older).
        let generation = query.catalogGeneration
        return try state.withLockedValue { s -> PreparedList in
            // Same selection, new generation, changed columns: a new id, so holders of the old one learn it is stale.
            if let id = s.bySelection[selection], let old = s.byId[id] {
                let refreshed = PreparedList(id: id, selection: selection, query: query, generation: generation)
                if refreshed.columns == old.columns {
                    s.byId[id] = refreshed
                    return refreshed
                }
            }
            guard s.byId.count < capacity else {
                throw WireError(.limitExceeded, "this server holds \(capacity) prepared feature lists already")
            }
            let id = s.nextId
            s.nextId &+= 1
            let list = PreparedList(id: id, selection: selection, query: query, generation: generation)
            s.byId[id] = list
            s.bySelection[selection] = id
            return list
        }
    }

    /// The list with `id` as prepared last, without checking the catalog
    /// generation (see ``prepare(_:)``).
    func list(_ id: UInt32) throws -> PreparedList {
        guard let list = state.withLockedValue({ $0.byId[id] }) else {
            throw WireError(.unknownFeatureList, "unknown feature list \(id) (prepare it again; ids do not survive a server restart)")
        }
        return list
    }

    /// The list with `id`, re-resolved when the catalog moved on; stale when its columns changed.
    func list(_ id: UInt32, generation: UInt64) throws -> PreparedList {
        let list = try list(id)
        if list.generation == generation { return list }
        let fresh: PreparedList
        do {
            fresh = try prepare(list.selection, generation: generation)
        } catch {
            throw WireError(.featureListStale, "feature list \(id) no longer resolves after a catalog change: \(WireConversion.wireError(error).message)")
        }
        guard fresh.id == id else {
            throw WireError(.featureListStale, "feature list \(id) changed with the catalog (now list \(fresh.id)): prepare it again")
        }
        return fresh
    }

    var count: Int { state.withLockedValue { $0.byId.count } }
}

import LMDB
import Tabular
import Crypto

/// OpenLineage export of the recorded runs (`fsctl lineage --openlineage`).
///
/// Each run the store recorded becomes one `COMPLETE` RunEvent: an ingest
/// (a batch node: file → table), a materialization (table → online, the
/// latest run per table), an export (table versions + entity file → training
/// set), a model registration (training set + features → model version).
/// Datasets are named in the namespace `featurestore://<store id>`
/// (`user_stats`, `online/user_stats`, `training_sets/ts-…`, `models/churn`),
/// and files in the namespace `file` by absolute path, as OpenLineage names
/// local files.
extension Store {
    /// The RunEvents of the runs in `graph` (every run of the store when nil),
    /// oldest first.
    public func openLineageEvents(for graph: LineageGraph? = nil) throws -> [OpenLineageEvent] {
        let namespace = "featurestore://" + (try storeId())
        return try environment.read { txn in
            let nodes: [LineageNode]
            if let graph {
                nodes = graph.nodes
            } else {
                var all: [LineageNode] = []
                var seen = Set<LineageNode>()
                for e in try allLineageEdges() where seen.insert(e.to).inserted { all.append(e.to) }
                nodes = all
            }
            var events: [OpenLineageEvent] = []
            for node in nodes {
                if let event = try openLineageRun(of: node, namespace: namespace, txn) { events.append(event) }
            }
            return events.sorted { ($0.eventTime, $0.job.name, $0.run.runId) < ($1.eventTime, $1.job.name, $1.run.runId) }
        }
    }

    /// The run that made `node`, when `node` is the product of one.
    private func openLineageRun(of node: LineageNode, namespace: String,
                                _ txn: borrowing Transaction) throws -> OpenLineageEvent? {
        let into = try lineageEdges(into: node, txn)
        var datasets = OpenLineageDatasets(namespace: namespace)
        let job: String
        let at: Int64
        switch node.kind {
        case .batch:
            guard let ingested = into.first(where: { $0.kind == "ingested" }) else { return nil }
            for e in into { datasets.add(e.from, input: true, edge: e) }
            for e in try lineageEdges(from: node, txn) where e.kind == "appended" || e.kind == "pushed" {
                datasets.add(e.to, input: false, edge: e, schema: try tableSchema(e.to, txn))
            }
            job = "ingest." + (ingested.attributes["table"] ?? node.name)
            at = ingested.atMicros
        case .online:
            guard let run = into.first(where: { $0.kind == "materialized" && $0.from.kind == .table }) else { return nil }
            datasets.add(run.from, input: true, edge: run)
            datasets.add(node, input: false, edge: run)
            job = "materialize." + node.name
            at = run.atMicros
        case .trainingSet:
            guard let entities = into.first(where: { $0.kind == "entities" }) else { return nil }
            for e in into where e.kind != "reads" { datasets.add(e.from, input: true, edge: e) }
            for e in into where e.kind == "reads" { datasets.add(e.from, input: true, edge: e) }
            datasets.add(node, input: false, edge: entities)
            if let output = entities.attributes["output"] {
                datasets.add(OpenLineageEvent.Dataset(namespace: "file", name: output), input: false)
            }
            job = "export"
            at = entities.atMicros
        case .modelVersion:
            let inputs = into.filter { $0.kind != "version_of" }
            guard !into.isEmpty else { return nil }
            for e in inputs { datasets.add(e.from, input: true, edge: e) }
            datasets.add(node, input: false, edge: nil)
            job = "register." + String(node.name[..<(node.name.lastIndex(of: "/") ?? node.name.endIndex)])
            at = into.map(\.atMicros).max() ?? 0
        default:
            return nil
        }
        return OpenLineageEvent(eventTime: Timestamp.format(at), run: .init(runId: Self.runId(namespace, job, node, at)),
                                job: .init(namespace: namespace, name: job),
                                inputs: datasets.inputs, outputs: datasets.outputs)
    }

    /// The features of a table version (its `has_feature` edges), for a schema facet.
    private func tableSchema(_ node: LineageNode, _ txn: borrowing Transaction) throws -> [OpenLineageEvent.SchemaFacet.Field] {
        guard node.kind == .tableVersion else { return [] }
        return try lineageEdges(from: node, txn).filter { $0.kind == "has_feature" }.map {
            .init(name: String($0.to.name[$0.to.name.index(after: $0.to.name.firstIndex(of: ":")!)...]),
                  type: $0.attributes["type"])
        }
    }

    /// A name-based UUID (SHA-256, version bits 5, RFC 4122 variant): stable across prints.
    static func runId(_ namespace: String, _ job: String, _ node: LineageNode, _ at: Int64) -> String {
        var b = Array(SHA256.hash(data: Array("\(namespace)\n\(job)\n\(node)\n\(at)".utf8)).prefix(16))
        b[6] = (b[6] & 0x0F) | 0x50
        b[8] = (b[8] & 0x3F) | 0x80
        let hex = FileHash.hex(b)
        let c = Array(hex)
        return [c[0..<8], c[8..<12], c[12..<16], c[16..<20], c[20..<32]].map { String($0) }.joined(separator: "-")
    }
}

/// The inputs and outputs of one run, merged by dataset (features of one
/// table become one dataset with the features as its schema fields).
struct OpenLineageDatasets {
    let namespace: String
    var inputs: [OpenLineageEvent.Dataset] = []
    var outputs: [OpenLineageEvent.Dataset] = []

    init(namespace: String) { self.namespace = namespace }

    mutating func add(_ node: LineageNode, input: Bool, edge: LineageEdge?,
                      schema: [OpenLineageEvent.SchemaFacet.Field] = []) {
        add(dataset(node, edge: edge, schema: schema), input: input)
    }

    mutating func add(_ dataset: OpenLineageEvent.Dataset, input: Bool) {
        func merge(into list: inout [OpenLineageEvent.Dataset]) {
            guard let i = list.firstIndex(where: { $0.namespace == dataset.namespace && $0.name == dataset.name }) else {
                list.append(dataset)
                return
            }
            var facets = list[i].facets ?? OpenLineageEvent.Facets()
            if let more = dataset.facets?.schema?.fields {
                var fields = facets.schema?.fields ?? []
                for f in more where !fields.contains(where: { $0.name == f.name }) { fields.append(f) }
                facets.schema = OpenLineageEvent.SchemaFacet(fields: fields)
            }
            facets.version = facets.version ?? dataset.facets?.version
            list[i].facets = facets
        }
        if input { merge(into: &inputs) } else { merge(into: &outputs) }
    }

    /// The OpenLineage dataset a node stands for.
    func dataset(_ node: LineageNode, edge: LineageEdge?, schema: [OpenLineageEvent.SchemaFacet.Field]) -> OpenLineageEvent.Dataset {
        func versioned(_ name: String, _ separator: Character) -> (String, String?) {
            guard let i = node.name.lastIndex(of: separator) else { return (name, nil) }
            return (String(node.name[..<i]), String(node.name[node.name.index(after: i)...]))
        }
        var facets = OpenLineageEvent.Facets()
        if !schema.isEmpty { facets.schema = .init(fields: schema) }
        let name: String
        switch node.kind {
        case .file, .entityFile:
            return .init(namespace: "file", name: edge?.attributes["path"] ?? node.name)
        case .table:
            name = node.name
        case .tableVersion:
            let (table, version) = versioned(node.name, "@")
            name = table
            facets.version = version.map { .init(datasetVersion: $0) }
        case .feature:
            let (table, feature) = versioned(node.name, ":")
            name = table
            facets.schema = .init(fields: [.init(name: feature ?? node.name, type: nil)])
            facets.version = edge?.attributes["version"].map { .init(datasetVersion: $0) }
        case .online:
            name = "online/" + node.name
        case .trainingSet:
            name = "training_sets/" + node.name
        case .model:
            name = "models/" + node.name
        case .modelVersion:
            let (model, version) = versioned(node.name, "/")
            name = "models/" + model
            facets.version = version.map { .init(datasetVersion: $0) }
        case .alias:
            name = "aliases/" + node.name
        case .batch:
            name = "batches/" + node.name
        }
        let hasFacets = facets.schema != nil || facets.version != nil
        return .init(namespace: namespace, name: name, facets: hasFacets ? facets : nil)
    }
}

import FoundationEssentials

/// An OpenLineage 2-0-2 `RunEvent` (https://openlineage.io/spec/2-0-2/OpenLineage.json),
/// as `fsctl lineage --openlineage` prints them, one JSON object per line.
///
/// Only the fields and facets this store fills are modelled: `eventType` is
/// always `COMPLETE` (a run is recorded when it committed), datasets carry the
/// `schema` (1-2-0) and `version` (1-0-1) dataset facets.
///
/// ```swift
/// for event in try store.openLineageEvents(for: store.lineage(of: .table("user_stats"), direction: .both)) {
///     print(try event.jsonLine())
/// }
/// ```
public struct OpenLineageEvent: Codable, Sendable, Equatable {
    /// The spec URL of a RunEvent in 2-0-2.
    public static let schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    /// The producer URI of every event and facet.
    public static let producer = "urn:featurestore:fsctl"

    /// A run: its stable id.
    public struct Run: Codable, Sendable, Equatable {
        /// A UUID derived from the store id and the run's node, so printing
        /// the same graph twice gives the same ids.
        public var runId: String
    }

    /// A job: `ingest.user_stats`, `materialize.user_stats`, `export`, `register.churn`.
    public struct Job: Codable, Sendable, Equatable {
        /// `featurestore://<store id>`.
        public var namespace: String
        /// `ingest.<table>`, `materialize.<table>`, `export` or `register.<model>`.
        public var name: String
    }

    /// A dataset read or written by a run.
    public struct Dataset: Codable, Sendable, Equatable {
        /// `featurestore://<store id>`, or `file` for files.
        public var namespace: String
        /// `user_stats`, `online/user_stats`, `training_sets/ts-…`, `models/churn`, or a file's absolute path.
        public var name: String
        /// The schema and version facets, when there are any.
        public var facets: Facets?

        /// Makes a dataset reference.
        public init(namespace: String, name: String, facets: Facets? = nil) {
            self.namespace = namespace
            self.name = name
            self.facets = facets
        }
    }

    /// The dataset facets this store fills.
    public struct Facets: Codable, Sendable, Equatable {
        /// The features involved.
        public var schema: SchemaFacet?
        /// The table's schema version or the model's version.
        public var version: VersionFacet?
    }

    /// `SchemaDatasetFacet` 1-2-0: the features (columns) involved.
    public struct SchemaFacet: Codable, Sendable, Equatable {
        /// One feature: its name and, when known, its type (`float64`).
        public struct Field: Codable, Sendable, Equatable {
            /// The feature's name.
            public var name: String
            /// The feature's type, as in definitions files.
            public var type: String?
        }
        /// The producer URI (``OpenLineageEvent/producer``).
        public var _producer = OpenLineageEvent.producer
        /// The facet's schema.
        public var _schemaURL = "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
        /// The features.
        public var fields: [Field]
    }

    /// `DatasetVersionDatasetFacet` 1-0-1: a table's schema version, a model's version.
    public struct VersionFacet: Codable, Sendable, Equatable {
        /// The producer URI (``OpenLineageEvent/producer``).
        public var _producer = OpenLineageEvent.producer
        /// The facet's schema.
        public var _schemaURL =
            "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet"
        /// `2` for `user_stats@2`, `3` for `churn/3`.
        public var datasetVersion: String
    }

    /// Always `COMPLETE`: runs are recorded when they commit.
    public var eventType = "COMPLETE"
    /// RFC 3339 UTC time of the run's commit.
    public var eventTime: String
    /// ``OpenLineageEvent/producer``.
    public var producer = OpenLineageEvent.producer
    /// ``OpenLineageEvent/schemaURL``.
    public var schemaURL = OpenLineageEvent.schemaURL
    /// The run's id.
    public var run: Run
    /// The job the run belongs to.
    public var job: Job
    /// What the run read.
    public var inputs: [Dataset]
    /// What the run wrote.
    public var outputs: [Dataset]

    /// The event as one line of compact JSON (keys sorted, no trailing newline).
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

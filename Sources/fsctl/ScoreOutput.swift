import FeatureStore
import Tabular
#if canImport(Glibc)
import Glibc
#endif

/// Where `fsctl score` writes: CSV, JSONL or Parquet by `--out`'s extension,
/// batch by batch (entity columns, `model_version`, the predictions), into
/// `PATH.partial`, renamed to PATH by ``close()``: a scoring that fails half
/// way (a bad value on line 70,000) leaves no output, and an older PATH intact.
final class ScoreOutput {
    enum Sink {
        case csv(CSVWriter)
        case jsonl(JSONLWriter)
        case parquet(ParquetWriter)
    }

    let sink: Sink
    let fields: [Field]
    /// The file asked for.
    let path: String
    /// Where rows go until ``close()``.
    let partial: String

    /// Opens `path` for rows of `fields`; the format comes from the extension
    /// (`.parquet`/`.pq`, `.jsonl`/`.ndjson`/`.json`, else CSV).
    init(path: String, fields: [Field]) throws {
        self.fields = fields
        self.path = path
        partial = path + ".partial"
        switch IngestOptions.Format.infer(from: path) {
        case .parquet?: sink = .parquet(try ParquetWriter(path: partial, fields: fields))
        case .jsonl?: sink = .jsonl(try JSONLWriter(path: partial))
        default:
            let csv = try CSVWriter(path: partial)
            try csv.write(header: fields.map(\.name))
            sink = .csv(csv)
        }
    }

    func write(_ batch: RecordBatch) throws {
        switch sink {
        case .csv(let w): try w.write(batch: batch)
        case .parquet(let w): try w.write(batch: batch)
        case .jsonl(let w):
            for row in 0..<batch.rowCount {
                try w.write(fields.indices.map { (fields[$0].name, Self.json(batch.columns[$0].value(at: row))) })
            }
        }
    }

    /// Finishes the file and renames it into place.
    func close() throws {
        switch sink {
        case .csv(let w): try w.close()
        case .jsonl(let w): try w.close()
        case .parquet(let w): try w.close()
        }
        guard rename(partial, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(partial)
            throw FeatureStoreError(.io, "\(path): cannot write: \(reason)")
        }
    }

    /// Drops what was written (after an error); best effort.
    func discard() {
        switch sink {
        case .csv(let w): try? w.close()
        case .jsonl(let w): try? w.close()
        case .parquet(let w): try? w.close()
        }
        unlink(partial)
    }

    /// A cell as JSON: timestamps in ISO-8601, bytes in base64.
    static func json(_ value: Value?) -> JSONValue {
        switch value {
        case nil: .null
        case .bool(let b)?: .bool(b)
        case .int32(let x)?: .int(Int64(x))
        case .int64(let x)?: .int(x)
        case .float32(let x)?: .double(Double(x))
        case .float64(let x)?: .double(x)
        case .string(let s)?: .string(s)
        case .bytes(let b)?: .string(Base64.encode(b))
        case .timestamp(let t)?: .string(Timestamp.format(t))
        case .vector(let v)?: .array(v.map { .double(Double($0)) })
        }
    }
}

import Tabular
#if canImport(Glibc)
import Glibc
#endif

/// An entity file for a point-in-time export (SPEC 7): CSV or JSONL, its
/// columns typed so they can be joined and passed through.
///
/// The join keys and the timestamp column get the types the join needs;
/// every other column passes through: in CSV as text exactly as written (so a
/// label `0.10` stays `0.10`), in JSONL with the type its values have in the
/// first lines (integers, numbers, booleans, strings, number arrays).
///
/// ```swift
/// let file = try EntityFile(path: "labels.csv", types: ["user_id": .int64, "event_timestamp": .timestamp])
/// file.fields        // [user_id: int64, event_timestamp: timestamp, label: string]
/// let batches = try file.batches(batchSize: 65_536)
/// ```
public final class EntityFile {
    public let path: String
    public let format: IngestOptions.Format
    /// The file's columns, in file order, with the types they are read as.
    public let fields: [Field]
    private var csv: CSVReader?
    private var parquet: ParquetReader?

    /// Opens `path` and reads its header (CSV) or sniffs its first lines (JSONL).
    /// - Parameter types: the types of the columns the join needs (join keys,
    ///   timestamp); other columns are typed as described above.
    public init(path: String, format: IngestOptions.Format? = nil, types: [String: DataType]) throws {
        self.path = path
        guard let format = format ?? IngestOptions.Format.infer(from: path) else {
            throw FeatureStoreError.invalid("\(path): cannot tell the format from the extension (use --format csv, jsonl or parquet)")
        }
        self.format = format
        switch format {
        case .csv:
            let reader = try CSVReader(path: path)
            csv = reader
            fields = reader.columnNames.map { Field($0, types[$0] ?? .string) }
        case .jsonl:
            fields = try JSONLSniffer.columns(path: path).map { name, type in Field(name, types[name] ?? type) }
        case .parquet:
            // Pass-through columns keep the types the file declares.
            let reader = try ParquetReader(path: path)
            parquet = reader
            fields = reader.schema.map { Field($0.name, types[$0.name] ?? $0.type) }
        }
    }

    /// The rows, `batchSize` at a time. Call once.
    ///
    /// - Parameter readAhead: with more than 0, a large CSV file is read by
    ///   two threads at once (``SplitCSVSource``), the second one up to
    ///   about this many rows ahead of the caller.
    public func batches(batchSize: Int = 65_536, readAhead: Int = 0) throws -> BatchIterator {
        let options = ReadOptions(batchSize: batchSize)
        switch format {
        case .csv:
            guard let csv else { preconditionFailure("EntityFile.batches called twice") }
            self.csv = nil
            return try SplitCSVSource.batches(reader: csv, path: path, schema: fields, options: options,
                                              maxBufferedBatches: readAhead / max(1, batchSize))
        case .jsonl:
            return try JSONLReader(path: path).batches(schema: fields, options: options)
        case .parquet:
            guard let parquet else { preconditionFailure("EntityFile.batches called twice") }
            self.parquet = nil
            return try parquet.batches(schema: fields, options: options)
        }
    }
}

/// Finds the keys of a JSONL file's first lines (in order of first
/// appearance) and the type their values suggest.
enum JSONLSniffer {
    enum Kind: Equatable { case null, bool, int, float, string, vector(Int) }

    static func columns(path: String, maxLines: Int = 1000, maxBytes: Int = 1 << 20) throws -> [(String, DataType)] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FeatureStoreError.io("\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        var filled = 0
        while filled < maxBytes {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, maxBytes - filled) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            filled += n
        }
        var names: [String] = []
        var kinds: [String: Kind] = [:]
        var lines = 0
        var start = 0
        if filled >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        while start < filled && lines < maxLines {
            guard let end = buffer[start..<filled].firstIndex(of: 10) ?? (filled < maxBytes ? filled : nil) else { break }
            lines += 1
            let line = Array(buffer[start..<end])
            start = end + 1
            guard let pairs = scanObject(line) else { continue }   // the reader reports it with its line
            for (name, kind) in pairs {
                guard let old = kinds[name] else { names.append(name); kinds[name] = kind; continue }
                kinds[name] = merge(old, kind)
            }
        }
        return names.map { name in
            switch kinds[name]! {
            case .bool: (name, .bool)
            case .int: (name, .int64)
            case .float: (name, .float64)
            case .vector(let n): (name, .float32Vector(n))
            case .null, .string: (name, .string)
            }
        }
    }

    static func merge(_ a: Kind, _ b: Kind) -> Kind {
        switch (a, b) {
        case (.null, _): b
        case (_, .null): a
        case (.int, .float), (.float, .int): .float
        default: a == b ? a : .string
        }
    }

    /// The keys and value kinds of one flat JSON object; nil when it is not one.
    static func scanObject(_ p: [UInt8]) -> [(String, Kind)]? {
        var i = 0
        func ws() { while i < p.count, p[i] == 32 || p[i] == 9 || p[i] == 13 { i += 1 } }
        func string() -> String? {
            guard i < p.count, p[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            var out: [UInt8] = []
            while i < p.count {
                let c = p[i]
                if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\"), i + 1 < p.count {
                    out.append(p[i + 1] == UInt8(ascii: "n") ? 10 : p[i + 1] == UInt8(ascii: "t") ? 9 : p[i + 1])
                    i += 2
                    continue
                }
                out.append(c)
                i += 1
            }
            return nil
        }
        ws()
        guard i < p.count, p[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        var pairs: [(String, Kind)] = []
        while true {
            ws()
            if i < p.count, p[i] == UInt8(ascii: "}") { return pairs }
            guard let key = string() else { return nil }
            ws()
            guard i < p.count, p[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            ws()
            guard i < p.count else { return nil }
            let kind: Kind
            switch p[i] {
            case UInt8(ascii: "\""):
                guard string() != nil else { return nil }
                kind = .string
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                while i < p.count, p[i] >= UInt8(ascii: "a"), p[i] <= UInt8(ascii: "z") { i += 1 }
                kind = .bool
            case UInt8(ascii: "n"):
                i += 4
                kind = .null
            case UInt8(ascii: "["):
                var count = 0, inItem = false
                i += 1
                while i < p.count, p[i] != UInt8(ascii: "]") {
                    if p[i] == UInt8(ascii: ",") { inItem = false } else if p[i] != 32 && !inItem { inItem = true; count += 1 }
                    i += 1
                }
                i += 1
                kind = .vector(count)
            default:
                var isFloat = false
                while i < p.count, let c = Optional(p[i]), c != UInt8(ascii: ","), c != UInt8(ascii: "}"), c != 32 {
                    if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isFloat = true }
                    i += 1
                }
                kind = isFloat ? .float : .int
            }
            pairs.append((key, kind))
            ws()
            guard i < p.count else { return nil }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "}") { return pairs }
            return nil
        }
    }
}

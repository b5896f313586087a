import Crypto
import Tabular

/// SHA-256 of bytes handed over in order, computed on a thread of its own:
/// the export hashes its CSV output as it writes it instead of reading the
/// file again at the end (163 MB for a million rows of 20 features: a
/// serial tenth of a second after the last write).
///
/// ```swift
/// let hasher = StreamHasher()
/// hasher.submit(header); hasher.submit(rows)
/// let hex = hasher.finish()      // = FileHash.sha256 of the same bytes
/// ```
final class StreamHasher: @unchecked Sendable {
    private let chunks = BoundedChannel<[UInt8]?>(capacity: 8)
    private let task: ThreadTask<String>
    /// Used on the caller's thread when no thread could be started.
    private var inline = SHA256()
    private var digest: String?

    init() {
        let chunks = chunks
        task = ThreadTask(inline: false) {
            var hasher = SHA256()
            while let bytes = chunks.receive() {
                bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            }
            return FileHash.hex(Array(hasher.finalize()))
        }
    }

    /// Adds `bytes` (not copied: arrays are shared until written to).
    func submit(_ bytes: [UInt8]) {
        if task.started {
            _ = chunks.send(bytes)
        } else {
            bytes.withUnsafeBytes { inline.update(bufferPointer: $0) }
        }
    }

    /// The lowercase hex SHA-256 of everything submitted; ends the thread
    /// (later calls return the same digest).
    func finish() -> String {
        if let digest { return digest }
        let hex: String
        if task.started {
            _ = chunks.send(nil)
            hex = (try? task.wait()) ?? ""
        } else {
            hex = FileHash.hex(Array(inline.finalize()))
        }
        digest = hex
        return hex
    }

    /// A CSV header line exactly as ``CSVWriter/write(header:)`` writes it,
    /// or nil when a name is empty (the only case where a one-row batch of
    /// the names, formatted as data, would differ: `""` instead of nothing).
    static func csvHeader(_ names: [String]) -> [UInt8]? {
        guard !names.contains(where: \.isEmpty) else { return nil }
        let columns = names.map { name -> Column in
            var c = Column(type: .string)
            c.appendString(name)
            return c
        }
        let batch = RecordBatch(fields: names.map { Field($0, .string) }, columns: columns, sourceLines: [0])
        var bytes: [UInt8] = []
        CSVFormatter().format(batch, rows: 0..<1, into: &bytes)
        return bytes
    }
}

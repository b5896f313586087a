import Tabular
#if canImport(Glibc)
import Glibc
#endif

/// A CSV entity file read by two threads: the caller's thread reads the
/// records before the first newline past the middle of the file, a thread of
/// its own the records after it, at the same time; batches come out in file
/// order with the lines, values and errors a single reader gives.
///
/// The point-in-time join needs every row of a block before it can sort and
/// walk, so parsing the entity file is a serial start with one core idle
/// (the export's biggest: 0.15 s of a 1.4 s export of a million rows).
///
/// Why the split is safe: with no quoted field before it, every newline is
/// a record end, so the second half starts at a record. The first reader
/// checks that as it goes (``CSVReader/endInput(at:)``): at a quoted field
/// it reads on to the end of the file by itself, and the second half is
/// dropped. The second half's lines count from 1 until the first half is
/// done; then they, and its error's line, are shifted. It reads ahead at
/// most `maxBufferedBatches` batches (memory stays bounded by the export's
/// block of rows).
///
/// ```swift
/// let batches = try SplitCSVSource.batches(reader: reader, path: path, schema: fields,
///                                          options: ReadOptions(batchSize: 65_536), maxBufferedBatches: 16)
/// while let batch = try batches.next() { … }
/// ```
final class SplitCSVSource: BatchSource {
    /// Smaller files are read by one thread (and the first read of a reader
    /// is 4 MiB: the split must lie beyond it).
    static let minimumBytes = 8 << 20

    private enum Message { case batch(RecordBatch), end, failed(TabularError) }

    private var first: BatchIterator?
    private let firstReader: CSVReader
    private let channel: BoundedChannel<Message>
    private var second: ThreadTask<Void>?
    /// Added to the second half's lines, once the first half is read.
    private var lineShift = 0
    private var finished = false

    /// The batches of `reader` (its header read, no batch yet): read by two
    /// threads, or by `reader` alone when the file is small, has no newline
    /// after its middle, or no thread can start.
    static func batches(reader: CSVReader, path: String, schema: [Field], options: ReadOptions,
                        maxBufferedBatches: Int, minimumBytes: Int = minimumBytes) throws -> BatchIterator {
        guard options.onInvalid == .fail, maxBufferedBatches > 0,
              let split = splitOffset(path: path, minimumBytes: minimumBytes),
              let secondReader = try? CSVReader(path: path, from: split, columnNames: reader.columnNames, line: 1),
              reader.endInput(at: split) else {
            return try reader.batches(schema: schema, options: options)
        }
        let source = SplitCSVSource(reader: reader, capacity: maxBufferedBatches)
        do {
            source.first = try reader.batches(schema: schema, options: options)
            let batches = try secondReader.batches(schema: schema, options: options)
            let channel = source.channel
            source.second = ThreadTask(inline: false) {
                do throws(TabularError) {
                    while let batch = try batches.next() {
                        guard channel.send(.batch(batch)) else { return }
                    }
                    _ = channel.send(.end)
                } catch {
                    _ = channel.send(.failed(error))
                }
            }
        } catch {
            reader.endInput(at: Int.max)
            throw error
        }
        if source.second?.started != true {
            // No thread: read on past the split (nothing beyond it was read yet).
            reader.endInput(at: Int.max)
            source.second = nil
            return source.first!
        }
        return BatchIterator(source)
    }

    private init(reader: CSVReader, capacity: Int) {
        firstReader = reader
        channel = BoundedChannel<Message>(capacity: capacity)
    }

    deinit {
        channel.close()
        _ = try? second?.wait()
    }

    /// The first byte after the first newline at or past the middle of the
    /// file, or nil (small file, no such newline, cannot read).
    static func splitOffset(path: String, minimumBytes: Int = minimumBytes) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) >= minimumBytes else { return nil }
        let size = Int(info.st_size)
        var window = [UInt8](repeating: 0, count: 1 << 16)
        var at = size / 2
        while at < size {
            let n = window.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(at)) }
            guard n > 0 else { return nil }
            if let newline = window[0..<n].firstIndex(of: 10) {
                let split = at + newline + 1
                return split < size ? split : nil
            }
            at += n
        }
        return nil
    }

    func nextBatch() throws(TabularError) -> RecordBatch? {
        if finished { return nil }
        if let first {
            if let batch = try first.next() { return batch }
            self.first = nil
            guard firstReader.endedAtLimit else {
                // The first reader met a quoted field and read the whole file.
                finished = true
                channel.close()
                return nil
            }
            lineShift = firstReader.nextLine - 1
        }
        switch channel.receive() {
        case .batch(var batch):
            if lineShift != 0 {
                for i in batch.sourceLines.indices { batch.sourceLines[i] += lineShift }
            }
            return batch
        case .end:
            finished = true
            return nil
        case .failed(var error):
            finished = true
            error.line = error.line.map { $0 + lineShift }
            throw error
        }
    }
}

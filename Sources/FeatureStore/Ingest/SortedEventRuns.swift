#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The events of one ingest call, spilled as sorted runs (one per chunk) to an
/// unlinked temporary file in the store's directory, then merged back into
/// one ascending stream at the end of the write transaction.
///
/// Why: LMDB fills a leaf page only when a put appends at the very end of the
/// database (`MDB_APPEND`); a put anywhere else that splits a page leaves two
/// half-full pages. A backfill arrives in time order, so each chunk spans
/// every entity and the chunks interleave in key order: written chunk by
/// chunk, the log ends up with half-full leaves scattered over the file.
/// Merged, a first backfill of a table whose key range is the end of the log
/// is one stream of appends: full leaves, in key order on disk. The event log
/// is then half the size, and a point-in-time walk faults in half the pages.
///
/// Memory stays bounded: the chunks go to the file as they come, and the merge
/// reads each run through a small buffer. The file is unlinked as soon as it
/// is created, so nothing is left behind if the process dies.
///
/// A record is `key length (u16 LE) · value length (u32 LE) · key · value`.
/// The keys of one instance share their first 5 bytes (the table prefix of
/// event keys): the merge compares from the sixth byte on.
final class SortedEventRuns {
    private struct Run { var offset: Int; var end: Int }

    /// The directory the temporary file was made in (for error messages).
    let directory: String
    private var fd: Int32
    private var runs: [Run] = []
    /// Bytes written to the file, the buffered ones included.
    private var size = 0
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var buffered = 0
    private let readBufferBytes: Int
    /// At this many runs, the runs are merged into one (small chunks, as
    /// Parquet files of small row groups give, would otherwise need one read
    /// buffer each in the final merge).
    private let maxRuns: Int
    /// Events added so far.
    private(set) var count = 0

    /// Creates the (already unlinked) file in `directory`. `readBufferBytes`
    /// is each run's read buffer during the merge (smaller in tests, to cross
    /// buffer ends often).
    init(directory: String, writeBufferBytes: Int = 1 << 20, readBufferBytes: Int = 256 << 10, maxRuns: Int = 512) throws {
        self.directory = directory
        var template = Array("\(directory)/.ingest-runs-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw FeatureStoreError.io("ingest: cannot create a temporary file in \(directory) to sort the events: \(String(cString: strerror(errno)))")
        }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        unlink(path)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        self.fd = fd
        capacity = max(writeBufferBytes, 64)
        buffer = .allocate(byteCount: capacity, alignment: 16)
        self.readBufferBytes = max(readBufferBytes, 16)
        self.maxRuns = max(maxRuns, 2)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Appends `chunk`'s events, in `order` (ascending keys), as one run.
    func add(_ chunk: EventChunk, order: [Int32]) throws {
        guard !order.isEmpty else { return }
        let start = size
        try chunk.keys.withUnsafeBytes { kb in
            try chunk.values.withUnsafeBytes { vb in
                for i in order {
                    try putRecord(UnsafeRawBufferPointer(rebasing: kb[chunk.keyRange(Int(i))]),
                                  UnsafeRawBufferPointer(rebasing: vb[chunk.valueRange(Int(i))]))
                }
            }
        }
        runs.append(Run(offset: start, end: size))
        count += order.count
        if runs.count >= maxRuns { try collapse() }
    }

    /// Merges every run into one new run at the end of the file (the old
    /// runs' bytes stay behind, unused, until the file is closed).
    private func collapse() throws {
        let start = size
        try merge(runs: runs) { key, value in try putRecord(key, value) }
        runs = [Run(offset: start, end: size)]
    }

    @inline(__always)
    private func putRecord(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws {
        var header = (UInt16(key.count).littleEndian, UInt32(value.count).littleEndian)
        try withUnsafeBytes(of: &header.0) { try put($0.baseAddress!, 2) }
        try withUnsafeBytes(of: &header.1) { try put($0.baseAddress!, 4) }
        if let k = key.baseAddress, key.count > 0 { try put(k, key.count) }
        if let v = value.baseAddress, value.count > 0 { try put(v, value.count) }
    }

    /// Calls `body` with every event of every run, in ascending key order.
    func merge(_ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void) throws {
        try merge(runs: runs, body)
    }

    private func merge(runs: [Run], _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void) throws {
        try flush()
        var readers: [RunReader] = []
        readers.reserveCapacity(runs.count)
        defer { for r in readers { r.buffer.deallocate() } }
        // Every run gets a read buffer; together at most about 64 MiB.
        let perRun = min(readBufferBytes, max(16 << 10, (64 << 20) / max(runs.count, 1)))
        for run in runs {
            readers.append(RunReader(run: run, bytes: perRun))
            _ = try readers[readers.count - 1].advance(fd: fd, directory: directory)
        }
        // A binary min-heap of reader indices, by current key.
        var heap: [Int] = readers.indices.filter { readers[$0].hasRecord }
        func less(_ a: Int, _ b: Int) -> Bool { readers[a].precedes(readers[b]) }
        func siftDown(_ start: Int) {
            var i = start
            let n = heap.count
            while true {
                let l = 2 * i + 1
                guard l < n else { return }
                var m = l
                if l + 1 < n && less(heap[l + 1], heap[l]) { m = l + 1 }
                guard less(heap[m], heap[i]) else { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        if heap.count > 1 {
            for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        }
        while let top = heap.first {
            try body(readers[top].key, readers[top].value)
            if try !readers[top].advance(fd: fd, directory: directory) {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if heap.count > 1 { siftDown(0) }
        }
    }

    // MARK: Writing

    @inline(__always)
    private func put(_ p: UnsafeRawPointer, _ n: Int) throws {
        if buffered + n > capacity { try flush() }
        if n > capacity {
            try writeAll(p, n)
        } else {
            (buffer + buffered).copyMemory(from: p, byteCount: n)
            buffered += n
        }
        size += n
    }

    private func flush() throws {
        guard buffered > 0 else { return }
        let n = buffered
        buffered = 0
        try writeAll(UnsafeRawPointer(buffer), n)
    }

    private func writeAll(_ p: UnsafeRawPointer, _ n: Int) throws {
        var done = 0
        while done < n {
            let w = write(fd, p + done, n - done)
            if w < 0 {
                if errno == EINTR { continue }
                throw FeatureStoreError.io("ingest: cannot write the sorted events to a temporary file in \(directory): \(String(cString: strerror(errno)))")
            }
            done += w
        }
    }

    // MARK: Reading

    /// One run's cursor: its current record lies in `buffer[start..<start + recordBytes]`.
    private struct RunReader {
        var buffer: UnsafeMutableRawPointer
        var capacity: Int
        /// Next file offset to read, and where the run ends.
        var fileOffset: Int
        let fileEnd: Int
        /// Valid bytes in the buffer, and the current record's place in it.
        var filled = 0
        var start = 0
        var recordBytes = 0
        var keyCount = 0
        var valueCount = 0
        /// The key's 8 bytes after the 5-byte table prefix, big-endian: most
        /// comparisons end here.
        var head: UInt64 = 0
        var hasRecord = false

        init(run: Run, bytes: Int) {
            capacity = bytes
            buffer = .allocate(byteCount: bytes, alignment: 16)
            fileOffset = run.offset
            fileEnd = run.end
        }

        var key: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer + start + 6, count: keyCount) }
        var value: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer + start + 6 + keyCount, count: valueCount) }

        @inline(__always)
        func precedes(_ other: RunReader) -> Bool {
            if head != other.head { return head < other.head }
            let n = min(keyCount, other.keyCount)
            let c = memcmp(buffer + start + 6, other.buffer + other.start + 6, n)
            return c != 0 ? c < 0 : keyCount < other.keyCount
        }

        /// Moves to the next record; false at the run's end.
        mutating func advance(fd: Int32, directory: String) throws -> Bool {
            start += recordBytes
            recordBytes = 0
            guard try ensure(6, fd: fd, directory: directory) else { hasRecord = false; return false }
            let header = buffer + start
            keyCount = Int(UInt16(littleEndian: header.loadUnaligned(as: UInt16.self)))
            valueCount = Int(UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 2, as: UInt32.self)))
            guard try ensure(6 + keyCount + valueCount, fd: fd, directory: directory) else {
                throw FeatureStoreError.io("ingest: the temporary file of sorted events in \(directory) ends inside a record")
            }
            recordBytes = 6 + keyCount + valueCount
            if keyCount >= 13 {
                head = UInt64(bigEndian: (buffer + start + 6).loadUnaligned(fromByteOffset: 5, as: UInt64.self))
            } else {
                // A shorter key: its bytes after the prefix, padded with zeros.
                head = 0
                for i in 0..<8 { head = head << 8 | UInt64(5 + i < keyCount ? (buffer + start + 6).load(fromByteOffset: 5 + i, as: UInt8.self) : 0) }
            }
            hasRecord = true
            return true
        }

        /// Makes `n` bytes from `start` available; false when the run has
        /// fewer than `n` left.
        private mutating func ensure(_ n: Int, fd: Int32, directory: String) throws -> Bool {
            if filled - start >= n { return true }
            let kept = filled - start
            if n > capacity {
                let grown = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 16)
                grown.copyMemory(from: buffer + start, byteCount: kept)
                buffer.deallocate()
                buffer = grown
                capacity = n
            } else if kept > 0 {
                memmove(buffer, buffer + start, kept)
            }
            start = 0
            filled = kept
            while filled < n && fileOffset < fileEnd {
                let want = min(capacity - filled, fileEnd - fileOffset)
                let r = pread(fd, buffer + filled, want, off_t(fileOffset))
                if r < 0 {
                    if errno == EINTR { continue }
                    throw FeatureStoreError.io("ingest: cannot read back the sorted events from the temporary file in \(directory): \(String(cString: strerror(errno)))")
                }
                if r == 0 { break }
                filled += r
                fileOffset += r
            }
            return filled >= n
        }
    }
}

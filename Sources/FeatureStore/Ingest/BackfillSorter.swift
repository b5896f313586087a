/// How a table's first backfill reaches the event log: one chunk alone is
/// written as it is; from a second chunk on, every event of the call is
/// sorted across chunks and files (``SortedEventRuns``) and the log receives
/// one ascending stream of appends.
///
/// Why not write chunks straight while they come in key order: a backfill in
/// time order is often in entity order within each time slice (a day of every
/// user, then the next day), so its chunks ascend for a whole slice before
/// the first overlap, and the chunks written by then would take the later
/// slices' events as inserts: half-full leaves again
/// (`PointInTimeStoreLayoutTests` has such a file). The cost of always
/// sorting a file that is in key order already: about a fifth more time for
/// the ingest (the appends wait for the last chunk).
final class BackfillSorter {
    private let directory: String
    private var pending: (chunk: EventChunk, order: [Int32])?
    private var runs: SortedEventRuns?
    /// The temporary file could not be made: the rest is written as it comes.
    private var unsortable = false

    /// `directory` is where the temporary file goes (the store's).
    init(directory: String) {
        self.directory = directory
    }

    /// Whether the events are being sorted (``merge(_:)`` has work to do).
    var isSorting: Bool { runs != nil }

    /// Takes `chunk` (keys ascending in `order`); calls `write` with any
    /// chunk that can go to the log now.
    func add(_ chunk: EventChunk, order: [Int32], write: (EventChunk, [Int32]) throws -> Void) throws {
        guard !order.isEmpty else { return }
        if let runs { try runs.add(chunk, order: order); return }
        if unsortable { try write(chunk, order); return }
        guard let held = pending else { pending = (chunk, order); return }
        pending = nil
        // A directory where no file can be made (the store's files writable,
        // the directory not) gets the chunks written as they come.
        guard let sorted = try? SortedEventRuns(directory: directory) else {
            unsortable = true
            try write(held.chunk, held.order)
            try write(chunk, order)
            return
        }
        runs = sorted
        try sorted.add(held.chunk, order: held.order)
        try sorted.add(chunk, order: order)
    }

    /// Writes the chunk still held, if the events were not being sorted.
    func writePending(_ write: (EventChunk, [Int32]) throws -> Void) throws {
        guard let held = pending else { return }
        pending = nil
        try write(held.chunk, held.order)
    }

    /// Calls `body` with every sorted event, in ascending key order.
    func merge(_ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void) throws {
        try runs?.merge(body)
    }
}

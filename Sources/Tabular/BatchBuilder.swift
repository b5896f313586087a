/// The builders of one batch's columns plus its row bookkeeping; shared by
/// the CSV and JSONL decoders.
final class BatchBuilder {
    let fields: [Field]
    let capacity: Int
    /// One builder per field, mutated in place through the pointer.
    let builders: UnsafeMutablePointer<ColumnBuilder>
    var sourceLines: [Int] = []
    var rejected: [RejectedRow] = []
    var rows = 0

    init(fields: [Field], capacity: Int) {
        self.fields = fields
        self.capacity = max(1, capacity)
        builders = .allocate(capacity: max(fields.count, 1))
        for (k, field) in fields.enumerated() {
            (builders + k).initialize(to: ColumnBuilder(type: field.type, capacity: self.capacity))
        }
        sourceLines.reserveCapacity(self.capacity)
    }

    deinit {
        for k in 0..<fields.count { builders[k].deallocate() }
        builders.deinitialize(count: fields.count)
        builders.deallocate()
    }

    var isFull: Bool { rows == capacity }

    /// Starts a new batch.
    func reset() {
        for k in 0..<fields.count { builders[k].reset() }
        sourceLines.removeAll(keepingCapacity: true)
        rejected.removeAll()
        rows = 0
    }

    /// Keeps the row being built (`rows`), which started on `line`.
    @inline(__always)
    func commitRow(line: Int) {
        sourceLines.append(line)
        rows += 1
    }

    /// Throws away whatever the row being built wrote.
    func abandonRow() {
        for k in 0..<fields.count { builders[k].truncate(rows: rows) }
    }

    /// The batch so far; nil when it holds neither rows nor rejects.
    func makeBatch() -> RecordBatch? {
        if rows == 0 && rejected.isEmpty { return nil }
        let columns = (0..<fields.count).map { builders[$0].column(rows: rows) }
        return RecordBatch(fields: fields, columns: columns, sourceLines: sourceLines, rejected: rejected)
    }
}

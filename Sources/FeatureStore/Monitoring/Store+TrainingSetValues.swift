import Tabular

extension Store {
    /// The values a training set holds for features of `table`, read back from
    /// its output file (CSV, JSONL or Parquet, as exported), as a drift
    /// reference: what the model was trained on.
    ///
    /// `features` nil = every comparable feature of `table` the training set
    /// exported. Columns are found under the export's naming (`age`, or
    /// `user_stats__age` with full feature names).
    ///
    /// ```swift
    /// let ref = try store.trainingSetValues(id: "ts-3f9a0c…", table: "user_stats", features: ["age"])
    /// ```
    /// Throws `notFound` for an unknown training set, `invalid` when it did not
    /// export a requested feature or holds none of the table's, `io` when its
    /// output file cannot be read.
    public func trainingSetValues(id: String, table: String, features: [String]?) throws -> EventWindowValues {
        guard let record = try trainingSet(id: id) else {
            throw FeatureStoreError.notFound("no training set '\(id)'" + Self.suggest(id, in: try trainingSets().map(\.id)))
        }
        let (_, candidates) = try driftFeatures(table: table, features: features)
        // Exported features of this table: `user_stats@2:age` → "age".
        let exported = Set(record.features.compactMap { ref -> String? in
            guard let colon = ref.lastIndex(of: ":") else { return nil }
            let head = ref[..<colon]
            let name = head.split(separator: "@").first.map(String.init) ?? String(head)
            return name == table ? String(ref[ref.index(after: colon)...]) : nil
        })
        let chosen = try candidates.filter { f in
            if exported.contains(f.name) { return true }
            if features != nil {
                throw FeatureStoreError.invalid("training set '\(id)' has no feature '\(table):\(f.name)' (it exported \(record.features.joined(separator: ", ")))")
            }
            return false
        }
        guard !chosen.isEmpty else {
            throw FeatureStoreError.invalid("training set '\(id)' holds no feature of table '\(table)' (it exported \(record.features.joined(separator: ", ")))")
        }
        let columns = chosen.map { record.options.fullFeatureNames ? "\(table)__\($0.name)" : $0.name }
        let file = try EntityFile(path: record.output, types: Dictionary(uniqueKeysWithValues: zip(columns, chosen.map(\.type))))
        var numbers = [[Double]](repeating: [], count: chosen.count)
        var strings = [[String]](repeating: [], count: chosen.count)
        var nulls = [Int](repeating: 0, count: chosen.count)
        var rows = 0
        let batches = try file.batches()
        while let batch = try batches.next() {
            rows += batch.rowCount
            for (i, name) in columns.enumerated() {
                guard let c = batch.index(of: name) else {
                    throw FeatureStoreError.invalid("\(record.output): no column '\(name)' (training set '\(id)')")
                }
                let column = batch.columns[c]
                for r in 0..<batch.rowCount {
                    switch column.value(at: r) {
                    case .float64(let x): numbers[i].append(x)
                    case .float32(let x): numbers[i].append(Double(x))
                    case .int64(let x): numbers[i].append(Double(x))
                    case .int32(let x): numbers[i].append(Double(x))
                    case .string(let s): strings[i].append(s)
                    case .bool(let b): strings[i].append(b ? "true" : "false")
                    default: nulls[i] += 1
                    }
                }
            }
        }
        let out = chosen.enumerated().map { i, f in
            EventWindowValues.Feature(name: f.name, type: f.type,
                                      values: f.type == .string || f.type == .bool ? .strings(strings[i]) : .numbers(numbers[i]),
                                      nulls: nulls[i])
        }
        return EventWindowValues(table: table, events: rows, features: out)
    }
}

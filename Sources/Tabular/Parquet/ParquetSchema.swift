// From Parquet's flattened schema tree to top-level columns with a DataType.

/// One leaf (primitive) column of the schema, in file order: column chunk
/// `index` of every row group holds its values.
struct ParquetLeaf {
    let index: Int
    let path: [String]
    let element: SchemaElement
    let physical: PhysicalType
    let maxDefinition: Int
    let maxRepetition: Int
}

/// What a leaf's values are, before any conversion to the caller's type.
enum ParquetValueKind: Equatable {
    case bool
    /// INT32 / INT64 integers; `unsigned` values are reinterpreted from the bits.
    case int32(unsigned: Bool)
    case int64(unsigned: Bool)
    case float32, float64
    case timestamp(TimeUnit)
    /// INT32 days since the epoch.
    case date
    /// INT96 (Impala / Spark), held as microseconds once decoded.
    case int96
    case string
    case binary
    case unsupported(String)

    /// The DataType a value of this kind reads as by default.
    var naturalType: DataType? {
        switch self {
        case .bool: .bool
        case .int32(let unsigned): unsigned ? .int64 : .int32
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .timestamp, .date, .int96: .timestamp
        case .string: .string
        case .binary: .bytes
        case .unsupported: nil
        }
    }
}

/// How a top-level column maps to rows.
enum ParquetShape {
    /// One value per row; null when the definition level is below the maximum.
    case scalar
    /// A list per row: null when def < `present`, a slot when def >= `slot`,
    /// a non-null element when def == the leaf's maximum.
    case list(present: Int, slot: Int)
}

/// A top-level column of the file.
struct ParquetTopColumn {
    let name: String
    /// The leaf holding the values, nil for columns this reader cannot read.
    let leaf: ParquetLeaf?
    let shape: ParquetShape
    let kind: ParquetValueKind
    /// The Parquet type as shown in messages: `INT64 TIMESTAMP(NANOS)`, `LIST<FLOAT>`.
    let typeText: String

    var isList: Bool { if case .list = shape { true } else { false } }
}

enum ParquetSchema {
    /// The top-level columns and the total number of leaves.
    static func columns(_ elements: [SchemaElement]) throws(ParquetIssue) -> ([ParquetTopColumn], Int) {
        guard let root = elements.first else { throw ParquetIssue("corrupt metadata: empty schema") }
        let childCount = Int(root.numChildren ?? 0)
        guard childCount >= 0, childCount < elements.count else {
            throw ParquetIssue("corrupt metadata: root claims \(childCount) children, schema has \(elements.count - 1) elements")
        }
        var leaves: [ParquetLeaf] = []
        var columns: [ParquetTopColumn] = []
        var next = 1
        for _ in 0..<childCount {
            let top = next
            let firstLeaf = leaves.count
            next = try walk(elements, top, depth: 0, definition: 0, repetition: 0, path: [], leaves: &leaves)
            columns.append(classify(elements, top, Array(leaves[firstLeaf...])))
        }
        guard next == elements.count else {
            throw ParquetIssue("corrupt metadata: schema has \(elements.count - next) elements outside the tree")
        }
        return (columns, leaves.count)
    }

    private static func walk(_ elements: [SchemaElement], _ i: Int, depth: Int, definition: Int, repetition: Int,
                             path: [String], leaves: inout [ParquetLeaf]) throws(ParquetIssue) -> Int {
        guard i < elements.count else { throw ParquetIssue("corrupt metadata: schema tree is truncated") }
        guard depth < 16 else { throw ParquetIssue("schema nested more than 16 levels", unsupported: true) }
        let e = elements[i]
        var d = definition, r = repetition
        switch e.repetition ?? .required {
        case .required: break
        case .optional: d += 1
        case .repeated: d += 1; r += 1
        }
        let path = path + [e.name]
        if let physical = e.type {
            leaves.append(ParquetLeaf(index: leaves.count, path: path, element: e, physical: physical,
                                      maxDefinition: d, maxRepetition: r))
            return i + 1
        }
        let children = Int(e.numChildren ?? 0)
        guard children >= 0, children < elements.count - i else {
            throw ParquetIssue("corrupt metadata: group '\(e.name)' claims \(children) children")
        }
        var next = i + 1
        for _ in 0..<children {
            next = try walk(elements, next, depth: depth + 1, definition: d, repetition: r, path: path, leaves: &leaves)
        }
        return next
    }

    private static func classify(_ elements: [SchemaElement], _ top: Int, _ leaves: [ParquetLeaf]) -> ParquetTopColumn {
        let e = elements[top]
        func unsupported(_ what: String) -> ParquetTopColumn {
            ParquetTopColumn(name: e.name, leaf: nil, shape: .scalar, kind: .unsupported(what), typeText: what)
        }
        guard leaves.count == 1, let leaf = leaves.first else {
            return unsupported(e.type == nil && (e.logicalType == .map || e.convertedType == ConvertedType.map) ? "MAP" : "STRUCT")
        }
        if e.type != nil {
            // A top-level primitive: a scalar, or a legacy bare repeated list.
            let kind = valueKind(leaf.element)
            if e.repetition == .repeated {
                return ParquetTopColumn(name: e.name, leaf: leaf, shape: .list(present: 0, slot: 1), kind: kind,
                                        typeText: "repeated \(typeText(leaf.element))")
            }
            return ParquetTopColumn(name: e.name, leaf: leaf, shape: .scalar, kind: kind, typeText: typeText(leaf.element))
        }
        // A group with exactly one leaf: a LIST (three-level or legacy two-level).
        guard leaf.maxRepetition == 1, top + 1 < elements.count else { return unsupported("STRUCT") }
        let repeated = elements[top + 1]
        guard repeated.repetition == .repeated, e.repetition != .repeated else { return unsupported("STRUCT") }
        if repeated.type == nil {
            // Three-level unless the legacy rules say the repeated group is the element itself.
            if repeated.name == "array" || repeated.name == e.name + "_tuple" { return unsupported("LIST<STRUCT>") }
            guard leaf.path.count == 3 else { return unsupported("LIST<STRUCT>") }
        }
        let present = e.repetition == .optional ? 1 : 0
        let kind = valueKind(leaf.element)
        return ParquetTopColumn(name: e.name, leaf: leaf, shape: .list(present: present, slot: present + 1),
                                kind: kind, typeText: "LIST<\(typeText(leaf.element))>")
    }

    /// The kind of values a leaf holds, from its physical, logical and converted types.
    static func valueKind(_ e: SchemaElement) -> ParquetValueKind {
        let c = e.convertedType
        switch e.type {
        case .boolean?:
            return .bool
        case .int32?:
            switch e.logicalType {
            // Only INT(32, unsigned) needs int64; INT(8/16, unsigned) values fit int32.
            case .integer(let width, let signed)?: return .int32(unsigned: !signed && width >= 32)
            case .date?: return .date
            case .decimal?: return .unsupported("DECIMAL")
            case .time?: return .unsupported("TIME")
            case nil, .unknown?: break
            default: return .unsupported(typeText(e))
            }
            if c == ConvertedType.date { return .date }
            if c == ConvertedType.decimal { return .unsupported("DECIMAL") }
            if c == ConvertedType.timeMillis { return .unsupported("TIME") }
            if c == ConvertedType.uint32 { return .int32(unsigned: true) }
            return .int32(unsigned: false)
        case .int64?:
            switch e.logicalType {
            case .integer(_, let signed)?: return .int64(unsigned: !signed)
            case .timestamp(_, let unit)?: return .timestamp(unit)
            case .decimal?: return .unsupported("DECIMAL")
            case .time?: return .unsupported("TIME")
            case nil, .unknown?: break
            default: return .unsupported(typeText(e))
            }
            if c == ConvertedType.timestampMillis { return .timestamp(.millis) }
            if c == ConvertedType.timestampMicros { return .timestamp(.micros) }
            if c == ConvertedType.decimal { return .unsupported("DECIMAL") }
            if c == ConvertedType.timeMicros { return .unsupported("TIME") }
            if c == ConvertedType.uint64 { return .int64(unsigned: true) }
            return .int64(unsigned: false)
        case .int96?:
            return .int96
        case .float?:
            return .float32
        case .double?:
            return .float64
        case .byteArray?:
            switch e.logicalType {
            case .string?, .enumeration?, .json?: return .string
            case .decimal?: return .unsupported("DECIMAL")
            default: break
            }
            if c == ConvertedType.utf8 || c == ConvertedType.enumeration || c == ConvertedType.json { return .string }
            if c == ConvertedType.decimal { return .unsupported("DECIMAL") }
            return .binary
        case .fixedLenByteArray?:
            if e.logicalType == .decimal || c == ConvertedType.decimal { return .unsupported("DECIMAL") }
            if e.logicalType == .float16 { return .unsupported("FLOAT16") }
            return .binary
        case nil:
            return .unsupported("group")
        }
    }

    /// `INT64 TIMESTAMP(NANOS)`, `BYTE_ARRAY STRING`, `INT32`.
    static func typeText(_ e: SchemaElement) -> String {
        var text = e.type?.name ?? "group"
        switch e.logicalType {
        case .string?: text += " STRING"
        case .enumeration?: text += " ENUM"
        case .json?: text += " JSON"
        case .date?: text += " DATE"
        case .decimal?: text += " DECIMAL"
        case .time?: text += " TIME"
        case .uuid?: text += " UUID"
        case .float16?: text += " FLOAT16"
        case .timestamp(let utc, let unit)?:
            text += " TIMESTAMP(\(unit == .millis ? "MILLIS" : unit == .micros ? "MICROS" : "NANOS")\(utc ? "" : ", local"))"
        case .integer(let width, let signed)?: text += " INT(\(width), \(signed ? "signed" : "unsigned"))"
        default:
            switch e.convertedType {
            case ConvertedType.utf8?: text += " UTF8"
            case ConvertedType.date?: text += " DATE"
            case ConvertedType.timestampMillis?: text += " TIMESTAMP_MILLIS"
            case ConvertedType.timestampMicros?: text += " TIMESTAMP_MICROS"
            case ConvertedType.decimal?: text += " DECIMAL"
            default: break
            }
        }
        return text
    }
}

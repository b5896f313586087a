// The parts of parquet.thrift (apache/parquet-format) this module reads and
// writes, with their Thrift field ids. Fields not listed are skipped on read.

/// Parquet physical types (`Type` in parquet.thrift).
enum PhysicalType: Int32, Sendable {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7

    var name: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32: "INT32"
        case .int64: "INT64"
        case .int96: "INT96"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .byteArray: "BYTE_ARRAY"
        case .fixedLenByteArray: "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

/// `FieldRepetitionType`.
enum Repetition: Int32, Sendable { case required = 0, optional = 1, repeated = 2 }

/// `Encoding`.
enum PageEncoding: Int32, Sendable {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5,
         deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

/// `CompressionCodec`.
enum CompressionCodec: Int32, Sendable {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7

    var name: String {
        switch self {
        case .uncompressed: "UNCOMPRESSED"
        case .snappy: "SNAPPY"
        case .gzip: "GZIP"
        case .lzo: "LZO"
        case .brotli: "BROTLI"
        case .lz4: "LZ4"
        case .zstd: "ZSTD"
        case .lz4Raw: "LZ4_RAW"
        }
    }
}

/// `ConvertedType` values this module interprets.
enum ConvertedType {
    static let utf8: Int32 = 0, map: Int32 = 1, mapKeyValue: Int32 = 2, list: Int32 = 3, enumeration: Int32 = 4,
               decimal: Int32 = 5, date: Int32 = 6, timeMillis: Int32 = 7, timeMicros: Int32 = 8,
               timestampMillis: Int32 = 9, timestampMicros: Int32 = 10, uint8: Int32 = 11, uint16: Int32 = 12,
               uint32: Int32 = 13, uint64: Int32 = 14, int8: Int32 = 15, int16: Int32 = 16, int32: Int32 = 17,
               int64: Int32 = 18, json: Int32 = 19, bson: Int32 = 20, interval: Int32 = 21
}

/// `TimeUnit`.
enum TimeUnit: Sendable, Equatable { case millis, micros, nanos }

/// `LogicalType` (the union), reduced to what decides a column's `DataType`.
enum LogicalType: Sendable, Equatable {
    case string, map, list, enumeration, decimal, date, time, json, bson, uuid, float16, unknown
    case timestamp(adjustedToUTC: Bool, unit: TimeUnit)
    case integer(bitWidth: Int8, signed: Bool)
    case other(Int16)
}

/// `SchemaElement`.
struct SchemaElement: Sendable {
    var type: PhysicalType?
    var typeLength: Int32?
    var repetition: Repetition?
    var name = ""
    var numChildren: Int32?
    var convertedType: Int32?
    var logicalType: LogicalType?
}

/// `Statistics` (min_value/max_value are the ones with a defined sort order).
struct Statistics: Sendable {
    var nullCount: Int64?
    var maxValue: [UInt8]?
    var minValue: [UInt8]?
}

/// `ColumnMetaData`.
struct ColumnMetaData: Sendable {
    var type: PhysicalType = .int32
    var encodings: [Int32] = []
    var path: [String] = []
    var codec: CompressionCodec = .uncompressed
    var numValues: Int64 = 0
    var totalUncompressedSize: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?
    var statistics: Statistics?
}

/// `ColumnChunk`.
struct ColumnChunk: Sendable {
    var filePath: String?
    var metaData: ColumnMetaData?
}

/// `RowGroup`.
struct RowGroup: Sendable {
    var columns: [ColumnChunk] = []
    var totalByteSize: Int64 = 0
    var numRows: Int64 = 0
}

/// `FileMetaData`.
struct FileMetaData: Sendable {
    var version: Int32 = 1
    var schema: [SchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [RowGroup] = []
    var keyValues: [(String, String?)] = []
    var createdBy: String?
    var encrypted = false
}

/// `PageType`.
enum PageType: Int32 { case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3 }

/// `PageHeader` with its data, dictionary and v2 headers flattened.
struct PageHeader {
    var type: Int32 = -1
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    /// Data page (v1 or v2) or dictionary page value count, levels included.
    var numValues: Int32 = -1
    var encoding: Int32 = -1
    var definitionLevelEncoding: Int32 = PageEncoding.rle.rawValue
    var repetitionLevelEncoding: Int32 = PageEncoding.rle.rawValue
    // v2 only
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var definitionLevelsByteLength: Int32 = 0
    var repetitionLevelsByteLength: Int32 = 0
    var isCompressed = true
    var hasTypeHeader = false
}

// MARK: Decoding

extension FileMetaData {
    static func decode(_ r: inout ThriftReader) throws(ParquetIssue) -> FileMetaData {
        var m = FileMetaData()
        var seen = (schema: false, rows: false, groups: false)
        try r.beginStruct()
        while let (id, t) = try r.nextField() {
            switch id {
            case 1: m.version = try r.i32(t)
            case 2: m.schema = try r.structList(t) { (r) throws(ParquetIssue) in try SchemaElement.decode(&r) }; seen.schema = true
            case 3: m.numRows = try r.i64(t); seen.rows = true
            case 4: m.rowGroups = try r.structList(t) { (r) throws(ParquetIssue) in try RowGroup.decode(&r) }; seen.groups = true
            case 5:
                m.keyValues = try r.structList(t) { (r) throws(ParquetIssue) in
                    var key = "", value: String?
                    try r.beginStruct()
                    while let (id, t) = try r.nextField() {
                        switch id {
                        case 1: key = try r.string(t)
                        case 2: value = try r.string(t)
                        default: try r.skip(t)
                        }
                    }
                    return (key, value)
                }
            case 6: m.createdBy = try r.string(t)
            case 8: m.encrypted = true; try r.skip(t)
            default: try r.skip(t)
            }
        }
        guard seen.schema, seen.rows, seen.groups else {
            throw ParquetIssue("corrupt metadata: file metadata lacks its schema, row count or row groups")
        }
        return m
    }
}

extension SchemaElement {
    static func decode(_ r: inout ThriftReader) throws(ParquetIssue) -> SchemaElement {
        var e = SchemaElement()
        var named = false
        try r.beginStruct()
        while let (id, t) = try r.nextField() {
            switch id {
            case 1:
                let v = try r.i32(t)
                guard let type = PhysicalType(rawValue: v) else { throw ParquetIssue("corrupt metadata: physical type \(v)") }
                e.type = type
            case 2: e.typeLength = try r.i32(t)
            case 3:
                let v = try r.i32(t)
                guard let rep = Repetition(rawValue: v) else { throw ParquetIssue("corrupt metadata: repetition \(v)") }
                e.repetition = rep
            case 4: e.name = try r.string(t); named = true
            case 5: e.numChildren = try r.i32(t)
            case 6: e.convertedType = try r.i32(t)
            case 10: e.logicalType = try LogicalType.decode(&r, t)
            default: try r.skip(t)
            }
        }
        guard named else { throw ParquetIssue("corrupt metadata: schema element without a name") }
        return e
    }
}

extension LogicalType {
    static func decode(_ r: inout ThriftReader, _ type: ThriftType) throws(ParquetIssue) -> LogicalType {
        guard type == .structure else { throw ParquetIssue("corrupt metadata: logical type is not a struct") }
        var result: LogicalType?
        try r.beginStruct()
        while let (id, t) = try r.nextField() {
            switch id {
            case 8:
                guard t == .structure else { throw ParquetIssue("corrupt metadata: TIMESTAMP is not a struct") }
                var utc = true, unit = TimeUnit.micros
                try r.beginStruct()
                while let (id, t) = try r.nextField() {
                    switch id {
                    case 1: utc = try r.bool(t)
                    case 2:
                        guard t == .structure else { throw ParquetIssue("corrupt metadata: time unit is not a struct") }
                        try r.beginStruct()
                        while let (id, t) = try r.nextField() {
                            switch id {
                            case 1: unit = .millis
                            case 2: unit = .micros
                            case 3: unit = .nanos
                            default: break
                            }
                            try r.skip(t)
                        }
                    default: try r.skip(t)
                    }
                }
                result = .timestamp(adjustedToUTC: utc, unit: unit)
            case 10:
                guard t == .structure else { throw ParquetIssue("corrupt metadata: INTEGER is not a struct") }
                var width: Int8 = 64, signed = true
                try r.beginStruct()
                while let (id, t) = try r.nextField() {
                    switch id {
                    case 1: width = try r.i8(t)
                    case 2: signed = try r.bool(t)
                    default: try r.skip(t)
                    }
                }
                result = .integer(bitWidth: width, signed: signed)
            default:
                let simple: [Int16: LogicalType] = [1: .string, 2: .map, 3: .list, 4: .enumeration, 5: .decimal,
                                                    6: .date, 7: .time, 11: .unknown, 12: .json, 13: .bson,
                                                    14: .uuid, 15: .float16]
                result = simple[id] ?? .other(id)
                try r.skip(t)
            }
        }
        return result ?? .other(0)
    }
}

extension RowGroup {
    static func decode(_ r: inout ThriftReader) throws(ParquetIssue) -> RowGroup {
        var g = RowGroup()
        try r.beginStruct()
        while let (id, t) = try r.nextField() {
            switch id {
            case 1: g.columns = try r.structList(t) { (r) throws(ParquetIssue) in try ColumnChunk.decode(&r) }
            case 2: g.totalByteSize = try r.i64(t)
            case 3: g.numRows = try r.i64(t)
            default: try r.skip(t)
            }
        }
        return g
    }
}

extension ColumnChunk {
    static func decode(_ r: inout ThriftReader) throws(ParquetIssue) -> ColumnChunk {
        var c = ColumnChunk()
        try r.beginStruct()
        while let (id, t) = try r.nextField() {
            switch id {
            case 1: c.filePath = try r.string(t)
            case 3: c.metaData = try ColumnMetaData.decode(&r, t)
            default: try r.skip(t)
            }
        }
        return c
    }
}

extension ColumnMetaData {
    static func decode(_ r: inout ThriftReader, _ type: ThriftType) throws(ParquetIssue) -> ColumnMetaData {
        guard type == .structure else { throw ParquetIssue("corrupt metadata: column metadata is not a struct") }
        var m = ColumnMetaData()
        try r.beginStruct()
        while let (id, t) = try r.nextField() {
            switch id {
            case 1:
                let v = try r.i32(t)
                guard let p = PhysicalType(rawValue: v) else { throw ParquetIssue("corrupt metadata: physical type \(v)") }
                m.type = p
            case 2: m.encodings = try r.i32List(t)
            case 3: m.path = try r.stringList(t)
            case 4:
                let v = try r.i32(t)
                guard let c = CompressionCodec(rawValue: v) else { throw ParquetIssue("corrupt metadata: codec \(v)") }
                m.codec = c
            case 5: m.numValues = try r.i64(t)
            case 6: m.totalUncompressedSize = try r.i64(t)
            case 7: m.totalCompressedSize = try r.i64(t)
            case 9: m.dataPageOffset = try r.i64(t)
            case 11: m.dictionaryPageOffset = try r.i64(t)
            case 12: m.statistics = try Statistics.decode(&r, t)
            default: try r.skip(t)
            }
        }
        return m
    }
}

extension Statistics {
    static func decode(_ r: inout ThriftReader, _ type: ThriftType) throws(ParquetIssue) -> Statistics {
        guard type == .structure else { throw ParquetIssue("corrupt metadata: statistics is not a struct") }
        var s = Statistics()
        try r.beginStruct()
        while let (id, t) = try r.nextField() {
            switch id {
            case 3: s.nullCount = try r.i64(t)
            case 5: s.maxValue = try r.binary(t)
            case 6: s.minValue = try r.binary(t)
            default: try r.skip(t)
            }
        }
        return s
    }
}

extension PageHeader {
    static func decode(_ r: inout ThriftReader) throws(ParquetIssue) -> PageHeader {
        var h = PageHeader()
        try r.beginStruct()
        while let (id, t) = try r.nextField() {
            switch id {
            case 1: h.type = try r.i32(t)
            case 2: h.uncompressedSize = try r.i32(t)
            case 3: h.compressedSize = try r.i32(t)
            case 5, 7, 8:
                guard t == .structure else { throw ParquetIssue("corrupt page header") }
                h.hasTypeHeader = true
                try r.beginStruct()
                while let (sub, t) = try r.nextField() {
                    switch (id, sub) {
                    case (_, 1): h.numValues = try r.i32(t)
                    case (5, 2), (7, 2), (8, 4): h.encoding = try r.i32(t)
                    case (5, 3): h.definitionLevelEncoding = try r.i32(t)
                    case (5, 4): h.repetitionLevelEncoding = try r.i32(t)
                    case (8, 2): h.numNulls = try r.i32(t)
                    case (8, 3): h.numRows = try r.i32(t)
                    case (8, 5): h.definitionLevelsByteLength = try r.i32(t)
                    case (8, 6): h.repetitionLevelsByteLength = try r.i32(t)
                    case (8, 7): h.isCompressed = try r.bool(t)
                    default: try r.skip(t)
                    }
                }
            default: try r.skip(t)
            }
        }
        guard h.type >= 0, h.uncompressedSize >= 0, h.compressedSize >= 0 else {
            throw ParquetIssue("corrupt page header: negative or missing size")
        }
        return h
    }
}

// MARK: Encoding (the writer's side)

extension ThriftWriter {
    mutating func write(_ e: SchemaElement) {
        beginStruct(nil)
        if let t = e.type { i32(1, t.rawValue) }
        if let n = e.typeLength { i32(2, n) }
        if let rep = e.repetition { i32(3, rep.rawValue) }
        string(4, e.name)
        if let n = e.numChildren { i32(5, n) }
        if let c = e.convertedType { i32(6, c) }
        if let l = e.logicalType {
            beginStruct(10)
            switch l {
            case .string: beginStruct(1); endStruct()
            case .list: beginStruct(3); endStruct()
            case .date: beginStruct(6); endStruct()
            case .timestamp(let utc, let unit):
                beginStruct(8)
                bool(1, utc)
                beginStruct(2)
                beginStruct(unit == .millis ? 1 : unit == .micros ? 2 : 3); endStruct()
                endStruct()
                endStruct()
            case .integer(let width, let signed):
                beginStruct(10); i8(1, width); bool(2, signed); endStruct()
            default: break
            }
            endStruct()
        }
        endStruct()
    }

    mutating func write(_ s: Statistics, id: Int16) {
        beginStruct(id)
        if let n = s.nullCount { i64(3, n) }
        if let v = s.maxValue { binary(5, v) }
        if let v = s.minValue { binary(6, v) }
        endStruct()
    }

    mutating func write(_ m: ColumnMetaData) {
        beginStruct(3)
        i32(1, m.type.rawValue)
        i32List(2, m.encodings)
        stringList(3, m.path)
        i32(4, m.codec.rawValue)
        i64(5, m.numValues)
        i64(6, m.totalUncompressedSize)
        i64(7, m.totalCompressedSize)
        i64(9, m.dataPageOffset)
        if let d = m.dictionaryPageOffset { i64(11, d) }
        if let s = m.statistics { write(s, id: 12) }
        endStruct()
    }

    mutating func write(_ m: FileMetaData, columnCount: Int) {
        beginStruct(nil)
        i32(1, m.version)
        listHeader(2, m.schema.count, .structure)
        for e in m.schema { write(e) }
        i64(3, m.numRows)
        listHeader(4, m.rowGroups.count, .structure)
        for g in m.rowGroups {
            beginStruct(nil)
            listHeader(1, g.columns.count, .structure)
            for c in g.columns {
                beginStruct(nil)
                i64(2, 0)
                if let meta = c.metaData { write(meta) }
                endStruct()
            }
            i64(2, g.totalByteSize)
            i64(3, g.numRows)
            endStruct()
        }
        if !m.keyValues.isEmpty {
            listHeader(5, m.keyValues.count, .structure)
            for (k, v) in m.keyValues {
                beginStruct(nil); string(1, k); if let v { string(2, v) }; endStruct()
            }
        }
        if let c = m.createdBy { string(6, c) }
        // column_orders: TypeDefinedOrder for every leaf, so min_value/max_value are used.
        listHeader(7, columnCount, .structure)
        for _ in 0..<columnCount {
            beginStruct(nil); beginStruct(1); endStruct(); endStruct()
        }
        endStruct()
    }

    mutating func write(_ h: PageHeader) {
        beginStruct(nil)
        i32(1, h.type)
        i32(2, h.uncompressedSize)
        i32(3, h.compressedSize)
        if h.type == PageType.dictionaryPage.rawValue {
            beginStruct(7)
            i32(1, h.numValues)
            i32(2, h.encoding)
            endStruct()
        } else {
            beginStruct(5)
            i32(1, h.numValues)
            i32(2, h.encoding)
            i32(3, h.definitionLevelEncoding)
            i32(4, h.repetitionLevelEncoding)
            endStruct()
        }
        endStruct()
    }
}

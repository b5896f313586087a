// Decodes one column chunk (all pages of one leaf in one row group) into its
// levels and dense values.

/// A column chunk's levels and non-null values.
struct DecodedChunk {
    /// One per level entry; empty when the leaf's maximum definition level is 0.
    var definitions: [UInt8] = []
    /// One per level entry; empty when the leaf is not repeated.
    var repetitions: [UInt8] = []
    var values: PhysicalValues
    /// Level entries (rows, for a flat column).
    var levelCount = 0
}

enum ColumnChunkDecoder {
    /// Decodes `bytes` (the chunk, read from the file) for `leaf`.
    static func decode(_ bytes: [UInt8], meta: ColumnMetaData, leaf: ParquetLeaf,
                       zstd: ZstdContexts? = nil) throws(ParquetIssue) -> DecodedChunk {
        guard PageCodec.isSupported(meta.codec) else {
            throw ParquetIssue("compression \(meta.codec.name) is not supported", unsupported: true)
        }
        guard leaf.maxDefinition <= 255, leaf.maxRepetition <= 255 else {
            throw ParquetIssue("nesting too deep", unsupported: true)
        }
        let typeLength = Int(leaf.element.typeLength ?? 0)
        var chunk = DecodedChunk(values: PhysicalValues(type: leaf.physical))
        var dictionary: PhysicalValues?
        let expected = meta.numValues
        // Size the outputs once from the metadata (capped: it is only a hint,
        // and a corrupt count must not allocate gigabytes).
        let hint = Int(max(0, min(expected, 1 << 22)))
        chunk.values.reserve(hint)
        if leaf.maxDefinition > 0 { chunk.definitions.reserveCapacity(hint) }
        if leaf.maxRepetition > 0 { chunk.repetitions.reserveCapacity(hint) }
        // Decompressed pages, one at a time, in one reused buffer.
        var scratch: [UInt8] = []
        /// A page body as (bytes, start, end): uncompressed pages are decoded
        /// in place in the chunk, others are decompressed into `scratch`.
        func pageBytes(_ body: Range<Int>, size: Int) throws(ParquetIssue) -> ([UInt8], Int, Int) {
            if meta.codec == .uncompressed {
                guard size >= 0 else { throw ParquetIssue("page extends past the column chunk") }
                guard body.count == size else {
                    throw ParquetIssue("uncompressed page of \(body.count) bytes claims \(size)")
                }
                return (bytes, body.lowerBound, body.upperBound)
            }
            try PageCodec.decompress(meta.codec, bytes, body, size: size, into: &scratch, zstd: zstd)
            return (scratch, 0, scratch.count)
        }
        var pos = 0
        let end = bytes.count
        let defWidth = Encodings.bitWidth(UInt64(leaf.maxDefinition))
        let repWidth = Encodings.bitWidth(UInt64(leaf.maxRepetition))
        var pageIndex = 0
        while pos < end && Int64(chunk.levelCount) < expected {
            var r = ThriftReader(bytes, from: pos, to: end)
            let header: PageHeader
            do { header = try PageHeader.decode(&r) } catch {
                throw ParquetIssue("page \(pageIndex): \(error.message)")
            }
            pos = r.position
            let size = Int(header.compressedSize)
            guard size <= end - pos else {
                throw ParquetIssue("page \(pageIndex) of \(size) bytes extends past the column chunk")
            }
            let body = pos..<(pos + size)
            pos += size
            defer { pageIndex += 1 }
            func fail(_ issue: ParquetIssue) -> ParquetIssue {
                ParquetIssue("page \(pageIndex): \(issue.message)", unsupported: issue.unsupported)
            }
            guard let type = PageType(rawValue: header.type) else {
                throw ParquetIssue("page \(pageIndex): unknown page type \(header.type)")
            }
            guard type == .indexPage || header.hasTypeHeader else {
                throw ParquetIssue("page \(pageIndex): header lacks its \(type) header")
            }
            do throws(ParquetIssue) {
                switch type {
                case .indexPage:
                    continue
                case .dictionaryPage:
                    guard dictionary == nil, chunk.levelCount == 0 else { throw ParquetIssue("a second dictionary page") }
                    let (page, lo, hi) = try pageBytes(body, size: Int(header.uncompressedSize))
                    guard header.numValues >= 0 else { throw ParquetIssue("negative dictionary size") }
                    guard header.encoding == PageEncoding.plain.rawValue || header.encoding == PageEncoding.plainDictionary.rawValue else {
                        throw ParquetIssue("dictionary encoding \(header.encoding) is not PLAIN", unsupported: true)
                    }
                    var dict = PhysicalValues(type: leaf.physical)
                    try Encodings.decodePlain(page, lo, hi, count: Int(header.numValues), typeLength: typeLength, into: &dict)
                    dictionary = dict
                case .dataPage, .dataPageV2:
                    let n = Int(header.numValues)
                    guard n >= 0, Int64(n) <= expected - Int64(chunk.levelCount) else {
                        throw ParquetIssue("page holds \(n) values, the column chunk has \(expected - Int64(chunk.levelCount)) left")
                    }
                    let page: [UInt8]
                    var at = 0
                    var hi = 0
                    var repRange = 0..<0, defRange = 0..<0
                    if type == .dataPage {
                        (page, at, hi) = try pageBytes(body, size: Int(header.uncompressedSize))
                        func prefixed(_ encoding: Int32) throws(ParquetIssue) -> Range<Int> {
                            guard encoding == PageEncoding.rle.rawValue else {
                                throw ParquetIssue("level encoding \(encoding) is not supported", unsupported: true)
                            }
                            guard at + 4 <= hi else { throw ParquetIssue("levels past the end of the page") }
                            let length = Int(UInt32(page[at]) | UInt32(page[at + 1]) << 8
                                             | UInt32(page[at + 2]) << 16 | UInt32(page[at + 3]) << 24)
                            at += 4
                            guard length <= hi - at else {
                                throw ParquetIssue("levels of \(length) bytes past the end of the page")
                            }
                            defer { at += length }
                            return at..<(at + length)
                        }
                        if leaf.maxRepetition > 0 { repRange = try prefixed(header.repetitionLevelEncoding) }
                        if leaf.maxDefinition > 0 { defRange = try prefixed(header.definitionLevelEncoding) }
                    } else {
                        let repLength = Int(header.repetitionLevelsByteLength), defLength = Int(header.definitionLevelsByteLength)
                        guard repLength >= 0, defLength >= 0, repLength + defLength <= size,
                              Int(header.uncompressedSize) >= repLength + defLength else {
                            throw ParquetIssue("level lengths exceed the page")
                        }
                        let levels = Array(bytes[body.lowerBound..<(body.lowerBound + repLength + defLength)])
                        let valueBody = (body.lowerBound + repLength + defLength)..<body.upperBound
                        let valueSize = Int(header.uncompressedSize) - repLength - defLength
                        let values = header.isCompressed
                            ? try PageCodec.decompress(meta.codec, bytes, valueBody, size: valueSize)
                            : try PageCodec.decompress(.uncompressed, bytes, valueBody, size: valueSize)
                        page = levels + values
                        hi = page.count
                        repRange = 0..<repLength
                        defRange = repLength..<(repLength + defLength)
                        at = repLength + defLength
                    }
                    if leaf.maxRepetition > 0 {
                        try Encodings.decodeHybrid(page, repRange.lowerBound, repRange.upperBound, bitWidth: repWidth,
                                                   count: n, into: &chunk.repetitions)
                    }
                    var nonNull = n
                    if leaf.maxDefinition > 0 {
                        let before = chunk.definitions.count
                        try Encodings.decodeHybrid(page, defRange.lowerBound, defRange.upperBound, bitWidth: defWidth,
                                                   count: n, into: &chunk.definitions)
                        let maxDef = UInt8(leaf.maxDefinition)
                        let (present, largest) = chunk.definitions.withUnsafeBufferPointer { d in
                            Encodings.levelStats(UnsafeBufferPointer(rebasing: d[before...]), maxDef)
                        }
                        if largest > maxDef, let d = chunk.definitions[before...].first(where: { $0 > maxDef }) {
                            throw ParquetIssue("definition level \(d) above the maximum \(maxDef)")
                        }
                        nonNull = present
                    }
                    try decodeValues(page, at, hi, count: nonNull, encoding: header.encoding,
                                     typeLength: typeLength, dictionary: dictionary, into: &chunk.values)
                    chunk.levelCount += n
                }
            } catch {
                throw fail(error)
            }
        }
        guard Int64(chunk.levelCount) == expected else {
            throw ParquetIssue("column chunk holds \(chunk.levelCount) values, its metadata says \(expected)")
        }
        if leaf.maxRepetition > 0 {
            let maxRep = UInt8(leaf.maxRepetition)
            for r in chunk.repetitions where r > maxRep {
                throw ParquetIssue("repetition level \(r) above the maximum \(maxRep)")
            }
            if let first = chunk.repetitions.first, first != 0 {
                throw ParquetIssue("column chunk starts inside a list (repetition level \(first))")
            }
        }
        return chunk
    }

    private static func decodeValues(_ page: [UInt8], _ start: Int, _ end: Int, count: Int, encoding: Int32, typeLength: Int,
                                     dictionary: PhysicalValues?, into values: inout PhysicalValues) throws(ParquetIssue) {
        let before = values.count
        guard let e = PageEncoding(rawValue: encoding) else {
            throw ParquetIssue("unknown encoding \(encoding)", unsupported: true)
        }
        switch e {
        case .plain:
            try Encodings.decodePlain(page, start, end, count: count, typeLength: typeLength, into: &values)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw ParquetIssue("dictionary-encoded page without a dictionary page") }
            if count == 0 { return }
            guard start < end else { throw ParquetIssue("dictionary indices missing") }
            let width = Int(page[start])
            var indices: [UInt32] = []
            try Encodings.decodeHybrid(page, start + 1, end, bitWidth: width, count: count, into: &indices)
            try values.gather(from: dictionary, indices)
        case .rle:
            guard values.type == .boolean else { throw ParquetIssue("RLE values for \(values.type.name)", unsupported: true) }
            guard start + 4 <= end else { throw ParquetIssue("RLE booleans past the end of the page") }
            var bits: [UInt8] = []
            try Encodings.decodeHybrid(page, start + 4, end, bitWidth: 1, count: count, into: &bits)
            values.bools.append(contentsOf: bits.map { $0 == 1 })
        case .deltaBinaryPacked:
            let (ints, _) = try Encodings.decodeDeltaBinaryPacked(page, start, end, limit: count)
            switch values.type {
            case .int32: values.int32s.append(contentsOf: ints.map { Int32(truncatingIfNeeded: $0) })
            case .int64: values.int64s.append(contentsOf: ints)
            default: throw ParquetIssue("DELTA_BINARY_PACKED for \(values.type.name)")
            }
        case .deltaLengthByteArray:
            guard values.type == .byteArray else { throw ParquetIssue("DELTA_LENGTH_BYTE_ARRAY for \(values.type.name)") }
            _ = try Encodings.decodeDeltaLengthByteArray(page, start, end, count: count, into: &values)
        case .deltaByteArray:
            guard values.type == .byteArray || values.type == .fixedLenByteArray else {
                throw ParquetIssue("DELTA_BYTE_ARRAY for \(values.type.name)")
            }
            try Encodings.decodeDeltaByteArray(page, start, end, count: count, into: &values)
        case .byteStreamSplit:
            try Encodings.decodeByteStreamSplit(page, start, end, count: count, typeLength: typeLength, into: &values)
        case .bitPacked:
            throw ParquetIssue("BIT_PACKED values are not supported", unsupported: true)
        }
        guard values.count - before == count else {
            throw ParquetIssue("page decodes to \(values.count - before) values, its levels say \(count)")
        }
    }
}

// The only file that touches the C compression libraries (Debian's
// libsnappy, libzstd and zlib, through the CSnappy/CZstd/CZlib targets).

import CSnappy
import CZlib
import CZstd

/// ZSTD compression and decompression contexts, made on first use and reused
/// from page to page (`ZSTD_compress`/`ZSTD_decompress` set up a fresh one,
/// with its tables, on every call). One reader or writer at a time.
final class ZstdContexts {
    private var cctx: OpaquePointer?
    private var dctx: OpaquePointer?

    init() {}

    deinit {
        if let cctx { ZSTD_freeCCtx(cctx) }
        if let dctx { ZSTD_freeDCtx(dctx) }
    }

    var compression: OpaquePointer? {
        if cctx == nil { cctx = ZSTD_createCCtx() }
        return cctx
    }

    var decompression: OpaquePointer? {
        if dctx == nil { dctx = ZSTD_createDCtx() }
        return dctx
    }
}

/// Page compression and decompression for the codecs this module supports.
enum PageCodec {
    /// Codecs the reader can decompress.
    static func isSupported(_ codec: CompressionCodec) -> Bool {
        switch codec {
        case .uncompressed, .snappy, .gzip, .zstd: true
        default: false
        }
    }

    /// Decompresses `input[range]`, which the page header says holds exactly
    /// `size` bytes once decompressed. A size that does not match, or input that
    /// the library rejects, is an issue; nothing is allocated beyond `size`.
    static func decompress(_ codec: CompressionCodec, _ input: [UInt8], _ range: Range<Int>,
                           size: Int) throws(ParquetIssue) -> [UInt8] {
        var out: [UInt8] = []
        try decompress(codec, input, range, size: size, into: &out)
        return out
    }

    /// `count` bytes in `buffer`, reusing its storage (only new bytes are zeroed).
    @inline(__always)
    private static func resize(_ buffer: inout [UInt8], _ count: Int) {
        if buffer.count > count {
            buffer.removeLast(buffer.count - count)
        } else if buffer.count < count {
            Encodings.reserve(&buffer, adding: count - buffer.count)
            buffer.append(contentsOf: repeatElement(0, count: count - buffer.count))
        }
    }

    /// As ``decompress(_:_:_:size:)``, into `out` (replaced; its storage is
    /// reused from page to page).
    static func decompress(_ codec: CompressionCodec, _ input: [UInt8], _ range: Range<Int>,
                           size: Int, into out: inout [UInt8], zstd: ZstdContexts? = nil) throws(ParquetIssue) {
        guard range.lowerBound >= 0, range.upperBound <= input.count, size >= 0 else {
            throw ParquetIssue("page extends past the column chunk")
        }
        switch codec {
        case .uncompressed:
            guard range.count == size else {
                throw ParquetIssue("uncompressed page of \(range.count) bytes claims \(size)")
            }
            resize(&out, size)
            out.withUnsafeMutableBufferPointer { o in
                input.withUnsafeBufferPointer { i in
                    if size > 0 { o.baseAddress!.update(from: i.baseAddress! + range.lowerBound, count: size) }
                }
            }
        case .snappy:
            try input.withUnsafeBufferPointer { (b) throws(ParquetIssue) in
                let src = UnsafeRawPointer(b.baseAddress! + range.lowerBound).assumingMemoryBound(to: CChar.self)
                var length = 0
                guard snappy_uncompressed_length(src, range.count, &length) == SNAPPY_OK, length == size else {
                    throw ParquetIssue("SNAPPY page does not decompress (corrupt data or wrong size)")
                }
                resize(&out, max(size, 1))
                let rc = out.withUnsafeMutableBufferPointer { o in
                    var n = size
                    let rc = snappy_uncompress(src, range.count,
                                               UnsafeMutableRawPointer(o.baseAddress!).assumingMemoryBound(to: CChar.self), &n)
                    return rc == SNAPPY_OK && n == size
                }
                guard rc else { throw ParquetIssue("SNAPPY page does not decompress (corrupt data)") }
                if size == 0 { out.removeAll(keepingCapacity: true) }
            }
        case .zstd:
            try input.withUnsafeBufferPointer { (b) throws(ParquetIssue) in
                let src = UnsafeRawPointer(b.baseAddress! + range.lowerBound)
                let declared = ZSTD_getFrameContentSize(src, range.count)
                // ZSTD_CONTENTSIZE_UNKNOWN / ERROR are the two largest values.
                if declared == UInt64.max - 1 {
                    throw ParquetIssue("ZSTD page does not decompress (not a zstd frame)")
                }
                if declared != UInt64.max && declared != UInt64(size) && range.count > 0 {
                    // A frame may be followed by others; only a single-frame mismatch is certain.
                    if ZSTD_findFrameCompressedSize(src, range.count) == range.count {
                        throw ParquetIssue("ZSTD page decompresses to \(declared) bytes, header says \(size)")
                    }
                }
                resize(&out, max(size, 1))
                let n = out.withUnsafeMutableBytes { o in
                    if let dctx = zstd?.decompression {
                        ZSTD_decompressDCtx(dctx, o.baseAddress!, size, src, range.count)
                    } else {
                        ZSTD_decompress(o.baseAddress!, size, src, range.count)
                    }
                }
                guard ZSTD_isError(n) == 0, n == size else {
                    throw ParquetIssue("ZSTD page does not decompress (corrupt data or wrong size)")
                }
                if size == 0 { out.removeAll(keepingCapacity: true) }
            }
        case .gzip:
            // Deflate expands at most ~1032:1; a larger claim is corrupt, not a bomb to allocate.
            guard size <= range.count * 1100 + 1024 else {
                throw ParquetIssue("GZIP page claims \(size) bytes from \(range.count)")
            }
            try input.withUnsafeBufferPointer { (b) throws(ParquetIssue) in
                resize(&out, max(size, 1))
                var stream = z_stream()
                guard czlib_inflate_init2(&stream, 15 + 32) == Z_OK else {
                    throw ParquetIssue("GZIP: cannot initialize zlib")
                }
                defer { inflateEnd(&stream) }
                let ok = out.withUnsafeMutableBufferPointer { o -> Bool in
                    stream.next_in = UnsafeMutablePointer(mutating: b.baseAddress! + range.lowerBound)
                    stream.avail_in = UInt32(range.count)
                    stream.next_out = o.baseAddress!
                    stream.avail_out = UInt32(size)
                    while true {
                        let rc = inflate(&stream, Z_FINISH)
                        if rc == Z_STREAM_END {
                            // Concatenated gzip members: continue with the next one.
                            if stream.avail_in > 0 && stream.avail_out > 0 {
                                guard inflateReset(&stream) == Z_OK else { return false }
                                continue
                            }
                            return stream.total_out <= UInt(size)
                        }
                        if rc != Z_OK && rc != Z_BUF_ERROR { return false }
                        if rc == Z_BUF_ERROR || stream.avail_out == 0 { return false }
                    }
                }
                let produced = size - Int(stream.avail_out)
                guard ok, produced == size else {
                    throw ParquetIssue("GZIP page does not decompress (corrupt data or wrong size)")
                }
                if size == 0 { out.removeAll(keepingCapacity: true) }
            }
        default:
            throw ParquetIssue("compression \(codec.name) is not supported", unsupported: true)
        }
    }

    /// Compresses a page body with `codec` (uncompressed, SNAPPY, ZSTD or GZIP).
    static func compress(_ codec: CompressionCodec, _ input: [UInt8], zstdLevel: Int32 = 1,
                         zstd: ZstdContexts? = nil) -> [UInt8] {
        switch codec {
        case .snappy:
            // The output is not zero-filled first: only the bytes written are kept.
            let bound = snappy_max_compressed_length(input.count)
            return [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { o, initialized in
                var capacity = bound
                input.withUnsafeBufferPointer { i in
                    let src = UnsafeRawPointer(i.baseAddress ?? UnsafePointer(o.baseAddress!)).assumingMemoryBound(to: CChar.self)
                    let rc = snappy_compress(src, input.count,
                                             UnsafeMutableRawPointer(o.baseAddress!).assumingMemoryBound(to: CChar.self), &capacity)
                    precondition(rc == SNAPPY_OK, "snappy_compress failed")
                }
                initialized = capacity
            }
        case .zstd:
            let bound = ZSTD_compressBound(input.count)
            return [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { o, initialized in
                let n = input.withUnsafeBytes { i in
                    let src = i.baseAddress ?? UnsafeRawPointer(o.baseAddress!)
                    // Same output as ZSTD_compress, which runs ZSTD_compressCCtx on a fresh context.
                    if let cctx = zstd?.compression {
                        return ZSTD_compressCCtx(cctx, o.baseAddress!, bound, src, input.count, zstdLevel)
                    }
                    return ZSTD_compress(o.baseAddress!, bound, src, input.count, zstdLevel)
                }
                precondition(ZSTD_isError(n) == 0, "ZSTD_compress failed")
                initialized = n
            }
        case .gzip:
            var stream = z_stream()
            precondition(czlib_deflate_init2(&stream, 6, 15 + 16) == Z_OK)
            defer { deflateEnd(&stream) }
            let bound = Int(deflateBound(&stream, UInt(input.count))) + 32
            var out = [UInt8](repeating: 0, count: bound)
            var copy = input
            let produced = copy.withUnsafeMutableBufferPointer { i in
                out.withUnsafeMutableBufferPointer { o -> Int in
                    stream.next_in = i.baseAddress
                    stream.avail_in = UInt32(input.count)
                    stream.next_out = o.baseAddress!
                    stream.avail_out = UInt32(bound)
                    let rc = deflate(&stream, Z_FINISH)
                    precondition(rc == Z_STREAM_END, "deflate failed")
                    return Int(stream.total_out)
                }
            }
            out.removeSubrange(produced...)
            return out
        default:
            return input
        }
    }
}

import CLMDB

extension Cursor {
    /// Bytes of the memory pages that ``prefetchKeyPage(previous:)`` asks for
    /// (OS pages: LMDB's pages are OS pages on Linux with 4 KiB pages; a
    /// larger LMDB page is simply prefetched in part).
    public static let prefetchedPageBytes = 4096

    /// The number of the 4 KiB page of the memory map that holds the current
    /// key (its address ÷ 4096), or 0 when the cursor is on no key. A
    /// forward scan calls ``prefetchKeyPage(previous:)`` when this changes.
    @inlinable
    public var keyPage: UInt { Self.mapPage(of: k.mv_data.map { UnsafeRawPointer($0) }) }

    /// The number of the 4 KiB map page holding `address` (0 for nil): what
    /// ``keyPage`` and ``LeafScan/keyPage`` give.
    @inlinable
    static func mapPage(of address: UnsafeRawPointer?) -> UInt {
        UInt(bitPattern: address) / UInt(prefetchedPageBytes)
    }

    /// Asks the CPU to load every 64-byte line of the 4 KiB map page that
    /// holds the current key (unless it is `previous + 1`, which the call for
    /// `previous` asked for already) and of the page after it, without
    /// waiting for them.
    ///
    /// A forward scan visits a leaf page's nodes one after another, and each
    /// node's first touch is a cache miss the scan waits for (in the
    /// point-in-time join's walk, most of its time). LMDB writes sorted
    /// appends to consecutive pages, so the page after this one is usually
    /// the next leaf: its lines arrive while this page is read. Prefetches
    /// never fault and change no result, so a page past the end of the
    /// file, or one that is not the next leaf, costs only the hint. Call it
    /// once per page (when ``keyPage`` changes), not per key.
    @inlinable
    public func prefetchKeyPage(previous: UInt) {
        guard let key = k.mv_data else { return }
        Self.prefetchPage(holding: UnsafeRawPointer(key), previous: previous)
    }

    /// Prefetches the 4 KiB page holding `address` (unless it is
    /// `previous + 1`) and the page after it (see ``prefetchKeyPage(previous:)``).
    @inlinable
    static func prefetchPage(holding address: UnsafeRawPointer, previous: UInt) {
        let page = Self.prefetchedPageBytes
        let base = address - Int(UInt(bitPattern: address) % UInt(page))
        var offset = mapPage(of: address) == previous &+ 1 ? page : 0
        while offset < 2 * page {
            clmdb_prefetch(base + offset)
            clmdb_prefetch(base + offset + 64)
            clmdb_prefetch(base + offset + 128)
            clmdb_prefetch(base + offset + 192)
            offset += 256
        }
    }
}

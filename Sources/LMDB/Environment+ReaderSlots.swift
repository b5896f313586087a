import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Environment {
    /// Who holds slots in the reader table right now (`mdb_reader_list`).
    ///
    /// With `MDB_NOTLS` a read transaction owns its slot until it is aborted,
    /// and a *reset* one (parked in this environment's pool for reuse) keeps
    /// its slot but pins no snapshot. So, at rest, this process holds exactly
    /// ``pooled`` slots and none of them is active.
    ///
    /// ```swift
    /// let slots = try env.readerSlots()
    /// assert(slots.activeInThisProcess == 0)          // no read is running
    /// assert(slots.heldByThisProcess == slots.pooled) // only parked readers
    /// ```
    public struct ReaderSlots: Sendable, Equatable {
        /// Slots claimed by any process, live or dead (dead ones until
        /// ``Environment/checkReaders()`` clears them).
        public var held: Int
        /// Of ``held``, those pinning a snapshot (an open read transaction).
        public var active: Int
        /// Slots claimed by this process, pooled ones included.
        public var heldByThisProcess: Int
        /// Of ``heldByThisProcess``, those pinning a snapshot.
        public var activeInThisProcess: Int
        /// Reset read transactions parked in this environment's pool; each holds
        /// a slot and no snapshot. Bounded by the pool's capacity.
        public var pooled: Int
    }

    /// The reader table as it is now. Informational: the table is read without
    /// LMDB's reader mutex, so a concurrent begin or end may or may not show.
    public func readerSlots() throws -> ReaderSlots {
        final class Lines { var lines: [String] = [] }
        let box = Lines()
        let rc = mdb_reader_list(handle, { message, context in
            guard let message, let context else { return 0 }
            Unmanaged<Lines>.fromOpaque(context).takeUnretainedValue().lines.append(String(cString: message))
            return 0
        }, Unmanaged.passUnretained(box).toOpaque())
        withExtendedLifetime(box) {}
        if rc < 0 { throw LMDBError(code: rc, function: "mdb_reader_list") }
        let me = Int(getpid())
        var slots = ReaderSlots(held: 0, active: 0, heldByThisProcess: 0, activeInThisProcess: 0,
                                pooled: readerPool.count)
        // Lines are "<pid> <thread hex> <txnid or ->", after one header line.
        for line in box.lines {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard fields.count == 3, let pid = Int(fields[0]) else { continue }
            let active = fields[2] != "-"
            slots.held += 1
            if active { slots.active += 1 }
            if pid == me {
                slots.heldByThisProcess += 1
                if active { slots.activeInThisProcess += 1 }
            }
        }
        return slots
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The environment directories open in this process, by device and inode.
///
/// lmdb.h: "Do not have open an LMDB database twice in the same process at the
/// same time." LMDB's file locks are fcntl locks, which belong to the process:
/// closing a second handle on the same lock file silently drops the first
/// one's locks (and closes its reader slots), after which another process may
/// believe it is the only user and reset the reader table under live readers.
/// ``Environment/init(path:options:)`` checks here first and refuses a second
/// open instead, whatever spelling of the path (symlink, trailing slash) it uses.
final class OpenEnvironments: @unchecked Sendable {
    struct FileID: Hashable { let device: UInt64; let inode: UInt64 }

    static let shared = OpenEnvironments()
    private let mutex = Mutex()
    private var open: Set<FileID> = []

    /// Records `path` as open; nil when it cannot be stat'ed (mdb_env_open will
    /// then report why). Throws EBUSY when it is already open in this process.
    func register(_ path: String) throws -> FileID? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let id = FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        let inserted = mutex.withLock { open.insert(id).inserted }
        guard inserted else {
            throw LMDBError(
                code: EBUSY, function: "mdb_env_open",
                detail: "'\(path)' is already open in this process; share that Environment instead "
                    + "(a second open would drop the first one's file locks when closed)")
        }
        return id
    }

    func unregister(_ id: FileID?) {
        guard let id else { return }
        _ = mutex.withLock { open.remove(id) }
    }
}

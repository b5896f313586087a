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
///
/// Each registration keeps the directory itself open (a read-only descriptor)
/// until it is unregistered: a directory deleted while its environment is open
/// keeps its inode meanwhile, so the file system cannot give that identity to
/// a new directory and refuse a store that was never opened.
final class OpenEnvironments: @unchecked Sendable {
    struct FileID: Hashable { let device: UInt64; let inode: UInt64 }

    /// One open: the directory's identity and the descriptor that holds it.
    struct Registration { let id: FileID; let descriptor: Int32 }

    static let shared = OpenEnvironments()
    private let mutex = Mutex()
    private var registered: Set<FileID> = []

    /// Records `path` as open; nil when it cannot be opened and stat'ed
    /// (mdb_env_open will then report why). Throws EBUSY when it is already
    /// open in this process.
    func register(_ path: String) throws -> Registration? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            return nil
        }
        let id = FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        let inserted = mutex.withLock { registered.insert(id).inserted }
        guard inserted else {
            close(fd)
            throw LMDBError(
                code: EBUSY, function: "mdb_env_open",
                detail: "'\(path)' is already open in this process; share that Environment instead "
                    + "(a second open would drop the first one's file locks when closed)")
        }
        return Registration(id: id, descriptor: fd)
    }

    /// Forgets `registration` and releases its descriptor.
    func unregister(_ registration: Registration?) {
        guard let registration else { return }
        _ = mutex.withLock { registered.remove(registration.id) }
        close(registration.descriptor)
    }
}

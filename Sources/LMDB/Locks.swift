#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process-local readers–writer lock (pthread). Readers of the map take it
/// shared; a map resize takes it exclusive, because `mdb_env_set_mapsize` may
/// only run when no transaction of this process is active.
@usableFromInline
final class ReadWriteLock: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    @usableFromInline init() { pthread_rwlock_init(lock, nil) }
    deinit { pthread_rwlock_destroy(lock); lock.deallocate() }
    @usableFromInline @inline(__always) func lockShared() { pthread_rwlock_rdlock(lock) }
    @usableFromInline @inline(__always) func lockExclusive() { pthread_rwlock_wrlock(lock) }
    @usableFromInline @inline(__always) func unlock() { pthread_rwlock_unlock(lock) }
}

/// A plain mutex (pthread) guarding small critical sections.
final class Mutex: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(mutex, nil) }
    deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }
    @inline(__always) func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) func unlock() { pthread_mutex_unlock(mutex) }
    @inline(__always) func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process-local readers–writer lock (pthread). Readers of the map take it
/// shared; a map resize takes it exclusive, because `mdb_env_set_mapsize` may
/// only run when no transaction of this process is active.
///
/// It counts the shared holds of each thread, so a caller can tell that taking
/// it exclusive would wait for itself (a read nested in another read or write
/// of the same thread) and fail instead of hanging.
@usableFromInline
final class ReadWriteLock: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    private var holdsKey = pthread_key_t()

    @usableFromInline init() {
        pthread_rwlock_init(lock, nil)
        let rc = pthread_key_create(&holdsKey, nil)
        precondition(rc == 0, "pthread_key_create: \(rc)")
    }

    deinit {
        pthread_key_delete(holdsKey)
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Shared holds of the calling thread.
    @usableFromInline var sharedHoldsOfThisThread: Int {
        Int(bitPattern: pthread_getspecific(holdsKey))
    }

    @inline(__always) private func setHolds(_ n: Int) {
        pthread_setspecific(holdsKey, UnsafeRawPointer(bitPattern: n))
    }

    @usableFromInline func lockShared() {
        pthread_rwlock_rdlock(lock)
        setHolds(sharedHoldsOfThisThread + 1)
    }

    @usableFromInline func unlockShared() {
        setHolds(sharedHoldsOfThisThread - 1)
        pthread_rwlock_unlock(lock)
    }

    @usableFromInline func lockExclusive() { pthread_rwlock_wrlock(lock) }
    @usableFromInline func unlockExclusive() { pthread_rwlock_unlock(lock) }
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

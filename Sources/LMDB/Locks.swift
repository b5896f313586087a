#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process-local readers–writer lock (pthread). Readers of the map take it
/// shared; a map resize takes it exclusive, because `mdb_env_set_mapsize` may
/// only run when no transaction of this process is active.
///
/// It counts the shared holds of each thread (a pthread key): only a thread's
/// first shared hold touches the pthread lock, and a caller can tell that
/// taking it exclusive would wait for itself (a read nested in another read or
/// write of the same thread) and fail instead of hanging.
///
/// Preference is glibc's default, readers first, on purpose. A resize must
/// wait for every read in flight, a long export scan included. With writer
/// preference the waiting resize would also hold up every *new* read for
/// that long (online lookups stalled behind an export); with reader
/// preference only the writer waits, and it can be starved by a dense stream
/// of reads (measured: one growing write waited up to 1.3 s behind 12 threads
/// reading in a tight loop; 0.02-0.15 s with writer preference). Growth is
/// rare with a generous initial `mapSize`, so reads win.
@usableFromInline
final class ReadWriteLock: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    /// A `let` on purpose: a `var` would cost a dynamic exclusivity check per read.
    private let holdsKey: pthread_key_t

    @usableFromInline init() {
        pthread_rwlock_init(lock, nil)
        var key = pthread_key_t()
        let rc = pthread_key_create(&key, nil)
        precondition(rc == 0, "pthread_key_create: \(rc)")
        holdsKey = key
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
        let holds = sharedHoldsOfThisThread
        if holds == 0 { pthread_rwlock_rdlock(lock) }
        setHolds(holds + 1)
    }

    @usableFromInline func unlockShared() {
        let holds = sharedHoldsOfThisThread - 1
        setHolds(holds)
        if holds == 0 { pthread_rwlock_unlock(lock) }
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

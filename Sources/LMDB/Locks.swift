#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process-local readers–writer lock (pthread). Readers of the map take it
/// shared; a map resize takes it exclusive, because `mdb_env_set_mapsize` may
/// only run when no transaction of this process is active.
///
/// It counts the shared holds of each thread (a pthread key), which buys two
/// things:
/// - Shared holds are re-entrant: only a thread's first one touches the
///   pthread lock. That makes writer preference safe: a waiting resize blocks
///   *new* readers (so a stream of reads cannot starve it — measured: one
///   write waited 1.3 s behind 12 reading threads with glibc's default reader
///   preference), while a read nested in a read never blocks behind it.
/// - A caller can tell that taking it exclusive would wait for itself (a read
///   nested in another read or write of the same thread) and fail instead.
@usableFromInline
final class ReadWriteLock: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    private var holdsKey = pthread_key_t()

    @usableFromInline init() {
        var attr = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attr)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attr, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(lock, &attr)
        pthread_rwlockattr_destroy(&attr)
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

#if canImport(Glibc)
import Glibc
#endif

/// Runs `work` on a thread of its own (a pthread, not the shared dispatch
/// pool); `wait()` joins it and returns its result or rethrows.
///
/// For work that must start now and may block: the export's threads block
/// on each other (channels), and on Linux the dispatch pool adds a thread
/// for blocked ones only after a delay. When no thread can be created,
/// `work` runs in `init` on the caller's thread, or, with `inline: false`,
/// not at all (``started`` is false and `wait()` throws).
///
/// ```swift
/// let other = ThreadTask { try walk(table: 1) }
/// let mine = try walk(table: 0)
/// let theirs = try other.wait()
/// ```
final class ThreadTask<T>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private var thread = pthread_t()
    private var joined = true
    /// False when no thread could be created and `work` did not run.
    private(set) var started = true

    init(inline: Bool = true, _ work: @escaping () throws -> T) {
        let box = Unmanaged.passRetained(ThreadJob { [self] in self.result = Result { try work() } }).toOpaque()
        if pthread_create(&thread, nil, { arg in
            Unmanaged<ThreadJob>.fromOpaque(arg!).takeRetainedValue().run()
            return nil
        }, box) == 0 {
            joined = false
        } else {
            let job = Unmanaged<ThreadJob>.fromOpaque(box).takeRetainedValue()
            if inline {
                job.run()
            } else {
                started = false
                result = .failure(FeatureStoreError.io("cannot start a thread: \(String(cString: strerror(errno)))"))
            }
        }
    }

    /// Waits for `work` (once; later calls return at once) and returns its result.
    func wait() throws -> T {
        if !joined {
            pthread_join(thread, nil)
            joined = true
        }
        return try result!.get()
    }

    deinit {
        // Unjoined: the thread holds a reference until `work` returns, so this
        // runs on it (when the last other reference went first): detach.
        if !joined { pthread_detach(thread) }
    }
}

/// A closure passed to a new pthread.
private final class ThreadJob {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

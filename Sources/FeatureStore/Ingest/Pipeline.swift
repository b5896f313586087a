import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// A bounded, blocking hand-off between one producer thread and one consumer
/// (the thread that owns the write transaction). `send` blocks while the
/// channel is full; after `close()`, `send` returns false so the producer stops.
final class BoundedChannel<Element>: @unchecked Sendable {
    private var items: [Element] = []
    private var closed = false
    private let capacity: Int
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()

    init(capacity: Int) {
        self.capacity = capacity
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&changed, nil)
    }

    deinit {
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&mutex)
    }

    /// Blocks until there is room; false when the consumer closed the channel.
    func send(_ item: Element) -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while items.count >= capacity && !closed { pthread_cond_wait(&changed, &mutex) }
        guard !closed else { return false }
        items.append(item)
        pthread_cond_broadcast(&changed)
        return true
    }

    /// Blocks until an item arrives.
    func receive() -> Element {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while items.isEmpty { pthread_cond_wait(&changed, &mutex) }
        let item = items.removeFirst()
        pthread_cond_broadcast(&changed)
        return item
    }

    /// Wakes a blocked producer and makes further sends fail.
    func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        items.removeAll()
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }
}

/// Runs `work` on another thread; `wait()` returns its result (or rethrows).
final class BackgroundTask<T>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping () throws -> T) {
        nonisolated(unsafe) let work = work
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = Result { try work() }
            done.signal()
        }
    }

    func wait() throws -> T {
        done.wait()
        done.signal()  // later waits return at once
        return try result!.get()
    }
}

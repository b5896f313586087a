#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text of `errno` (e.g. "No such file or directory").
func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

/// Closes a file descriptor (callable from types that have a `close()` of their own).
func closeDescriptor(_ fd: Int32) { _ = close(fd) }

/// A growable window onto a file (or bytes in memory), read in large chunks.
///
/// Bytes `buffer[start..<end]` are loaded and not yet consumed. ``refill()``
/// keeps them (moving them to the front) and appends the next chunk, growing
/// the buffer when a single record is larger than it. Pointers into the
/// buffer are valid only until the next `refill()`.
final class ChunkedInput {
    private enum Source {
        case file(Int32)
        case memory([UInt8], position: Int)
    }

    let name: String
    private var source: Source
    private(set) var buffer: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// First unconsumed byte.
    var start = 0
    /// One past the last loaded byte.
    private(set) var end = 0
    /// True once the source has no more bytes.
    private(set) var eof = false
    private let chunkSize: Int
    /// File offset of `buffer[end]`: where the next read starts.
    private(set) var offset = 0
    /// Input ends at this file offset (nil: at the end of the file). Cleared
    /// when a reader must read on (``CSVTokenizer`` does at a quoted field).
    var limit: Int?

    /// Opens `path` for reading; `chunkSize` is the read size (tests use tiny ones).
    /// `offset`: the byte of the file where input starts (0: its start).
    convenience init(path: String, chunkSize: Int, offset: Int) throws(TabularError) {
        try self.init(path: path, chunkSize: chunkSize)
        if offset > 0, case .file(let fd) = source {
            guard lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
                throw TabularError(kind: .io, file: name, message: "cannot seek to byte \(offset): \(errnoText(errno))")
            }
            self.offset = offset
        }
    }

    /// Opens `path` for reading; `chunkSize` is the read size (tests use tiny ones).
    init(path: String, chunkSize: Int) throws(TabularError) {
        name = path
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            throw TabularError(kind: .cannotOpen, file: path, message: "cannot open: \(errnoText(errno))")
        }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw TabularError(kind: .cannotOpen, file: path, message: "cannot open: \(errnoText(EISDIR))")
        }
        source = .file(fd)
        self.chunkSize = max(1, chunkSize)
        capacity = max(self.chunkSize, 16)
        buffer = .allocate(capacity: capacity)
    }

    /// Reads from `bytes` as if they were a file called `name`.
    init(bytes: [UInt8], name: String, chunkSize: Int) {
        self.name = name
        source = .memory(bytes, position: 0)
        self.chunkSize = max(1, chunkSize)
        capacity = max(self.chunkSize, 16)
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        if case .file(let fd) = source { close(fd) }
        buffer.deallocate()
    }

    /// Moves the unconsumed bytes to the front, grows the buffer if it is
    /// full, and reads up to one chunk more. Returns false at end of input.
    @discardableResult
    func refill() throws(TabularError) -> Bool {
        if eof { return false }
        if start > 0 {
            let live = end - start
            if live > 0 { buffer.update(from: buffer + start, count: live) }
            end = live
            start = 0
        }
        if capacity - end < chunkSize {
            let newCapacity = max(capacity * 2, end + chunkSize)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = grown
            capacity = newCapacity
        }
        var want = min(chunkSize, capacity - end)
        if let limit { want = max(0, min(want, limit - offset)) }
        let got: Int
        switch source {
        case .file(let fd):
            var n: Int
            repeat { n = read(fd, buffer + end, want) } while n < 0 && errno == EINTR
            guard n >= 0 else {
                throw TabularError(kind: .io, file: name, message: "cannot read: \(errnoText(errno))")
            }
            got = n
        case .memory(let bytes, let position):
            got = min(want, bytes.count - position)
            if got > 0 {
                bytes.withUnsafeBufferPointer { (buffer + end).update(from: $0.baseAddress! + position, count: got) }
            }
            source = .memory(bytes, position: position + got)
        }
        end += got
        offset += got
        if got == 0 { eof = true }
        return got > 0
    }

    /// Skips a UTF-8 byte-order mark at the very start of the input.
    func skipByteOrderMark() throws(TabularError) {
        while end - start < 3, try refill() {}
        if end - start >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF {
            start += 3
        }
    }
}

import LMDB
#if canImport(Glibc)
import Glibc
#endif

/// What `Store.backup(to:)` wrote.
public struct BackupReport: Sendable, Codable, Equatable {
    /// The backup directory (a complete store: `fsctl --store PATH …` opens it).
    public var path: String
    /// Size of the copy's `data.mdb`.
    public var bytes: Int
    /// Size of the source's `data.mdb` at the time of the copy.
    public var sourceBytes: Int
    /// Whether free pages were left out.
    public var compacted: Bool
    /// Whether every database was rebuilt with full leaf pages in key order
    /// (``LMDB/Environment/copyRepacked(to:)``); false for a compacted copy
    /// made with LMDB's `MDB_CP_COMPACT` (pages as they are) or a plain one.
    public var repacked: Bool = false
}

extension Store {
    /// Writes a consistent, optionally compacted copy of the whole store (catalog,
    /// events, online table, registry, lineage, tokens) to the directory `path`:
    /// SPEC 4's `fsctl backup DIR`.
    ///
    /// The copy is a hot copy of one read snapshot: readers and the writer keep
    /// running while it is taken, and a commit made meanwhile is either wholly in
    /// the backup or wholly absent. `path` must not exist or be an empty
    /// directory. The copy is written into a sibling directory first and renamed
    /// into place when complete, so a failed or interrupted backup never leaves a
    /// partial store at `path`.
    public func backup(to path: String, compact: Bool = true) throws -> BackupReport {
        let destination = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        try Self.checkBackupDestination(destination, source: self.path)
        let parent = Self.parentDirectory(of: destination)
        guard FileSystem.isDirectory(parent) else {
            throw FeatureStoreError.invalid(
                "backup destination '\(path)': the parent directory '\(parent)' does not exist (create it first)")
        }
        let staging = destination + ".partial-" + FileSystem.randomHex(6)
        guard mkdir(staging, 0o755) == 0 else {
            throw FeatureStoreError.io("\(staging): cannot create directory: \(String(cString: strerror(errno)))")
        }
        var published = false
        defer { if !published { FileSystem.removeStoreDirectory(staging) } }

        // Compacting: every database rebuilt with full leaves in key order (about
        // half the pages of a store grown by inserts; faster scans), or, where a
        // database cannot be rebuilt that way, LMDB's compacting copy.
        var repacked = false
        do {
            if compact { repacked = try environment.copyRepacked(to: staging) }
            if !repacked { try environment.copy(to: staging, compact: compact) }
        } catch { throw FeatureStoreError.io("\(path): cannot write the backup: \(error)") }
        // An empty destination directory is replaced by rename(2); a missing one is created by it.
        if FileSystem.exists(destination) { rmdir(destination) }
        guard rename(staging, destination) == 0 else {
            throw FeatureStoreError.io("\(path): cannot move the finished backup into place: \(String(cString: strerror(errno)))")
        }
        published = true
        return BackupReport(path: destination, bytes: FileSystem.fileSize(destination + "/data.mdb"),
                            sourceBytes: FileSystem.fileSize(self.path + "/data.mdb"), compacted: compact,
                            repacked: repacked)
    }

    /// Refuses a destination that holds anything, or that is the store itself.
    static func checkBackupDestination(_ path: String, source: String) throws {
        guard !path.isEmpty else { throw FeatureStoreError.invalid("backup destination is empty: expected a directory path") }
        guard FileSystem.exists(path) else { return }
        guard FileSystem.isDirectory(path) else {
            throw FeatureStoreError.invalid("backup destination '\(path)' exists and is not a directory: expected a new or empty directory")
        }
        if FileSystem.absolutePath(path) == FileSystem.absolutePath(source) {
            throw FeatureStoreError.invalid("backup destination '\(path)' is the store itself: expected a new or empty directory")
        }
        let entries = FileSystem.directoryEntries(path)
        guard entries.isEmpty else {
            let shown = entries.sorted().prefix(3).joined(separator: ", ")
            throw FeatureStoreError.invalid(
                "backup destination '\(path)' is not empty (holds \(shown)\(entries.count > 3 ? ", …" : "")): "
                    + "expected a new or empty directory; nothing was written")
        }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

extension FileSystem {
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// Names in a directory, without `.` and `..`.
    static func directoryEntries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a staging directory written by a backup (its LMDB files, then itself).
    static func removeStoreDirectory(_ path: String) {
        for name in directoryEntries(path) { unlink(path + "/" + name) }
        rmdir(path)
    }
}

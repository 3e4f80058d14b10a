import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way qlx writes a file (checkpoints, .npy exports, PNGs, dataset caches): the
/// bytes go to `.NAME.tmp-PID-RAND` in the target's folder (so the rename cannot cross file
/// systems), which is flushed and renamed over the target only when complete. A reader never
/// sees half a file, and the temporary file is removed on any error. Before writing:
/// - an existing target that is not a regular file (a device node such as /dev/null, a
///   folder, a socket) is refused: renaming over it would replace it;
/// - every writer says what it may replace (`replacing:`, no default here): an existing,
///   non-empty regular file of another kind is refused (`qlx decode -o model.safetensors`
///   must not overwrite a checkpoint); nil replaces anything (`--force`, qlx's own caches);
/// - temporary files of the same target left by a process that is gone (a SIGKILL during a
///   save) are removed.
/// A symbolic link at the target is replaced by the new file (the link's target is left
/// alone), unless the writer asks to write `throughLinks` (a settings file kept in a dotfiles
/// folder and linked into place: the file it points to is replaced, atomically).
public enum AtomicFile {
    /// What an existing file must already be to be replaced: a name for messages, what to do
    /// instead ("pass --force to replace it"), and a test of its first bytes.
    public struct Kind: Sendable {
        public let name: String
        public let hint: String
        public let prefixLength: Int
        public let matches: @Sendable ([UInt8]) -> Bool

        /// What the commands that write this kind offer instead.
        public static let forceHint = "pass --force to replace it"

        public init(name: String, hint: String = Kind.forceHint, prefixLength: Int, matches: @escaping @Sendable ([UInt8]) -> Bool) {
            self.name = name
            self.hint = hint
            self.prefixLength = prefixLength
            self.matches = matches
        }

        /// The same kind with another way out (a writer that has no --force).
        public func hinting(_ hint: String) -> Kind {
            Kind(name: name, hint: hint, prefixLength: prefixLength, matches: matches)
        }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String, replacing kind: Kind?, throughLinks: Bool = false) throws {
        try write(to: path, replacing: kind, throughLinks: throughLinks) { handle in try handle.write(contentsOf: bytes) }
    }

    /// Writes what `fill` writes to the handle to `path` atomically.
    public static func write(to path: String, replacing kind: Kind?, throughLinks: Bool = false, _ fill: (FileHandle) throws -> Void) throws {
        let target = throughLinks ? try linkTarget(of: path) : path
        let (folder, name) = try checkTarget(target, replacing: kind, naming: path)
        removeStaleTemporaries(of: name, in: folder)
        let temporary = folder + "/" + temporaryPrefix(of: name) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw FileWriteError(path: path, reason: "cannot create a temporary file in \(folder): \(errorText())") }
        var done = false
        defer { if !done { unlink(temporary) } }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        do {
            try fill(handle)
        } catch {
            close(fd)
            throw FileWriteError(path: path, reason: (error as NSError).domain == NSCocoaErrorDomain ? posixReason(of: error) : "\(error)")
        }
        guard fsync(fd) == 0 else { let reason = errorText(); close(fd); throw FileWriteError(path: path, reason: "fsync: \(reason)") }
        guard close(fd) == 0 else { throw FileWriteError(path: path, reason: "close: \(errorText())") }
        guard rename(temporary, target) == 0 else { throw FileWriteError(path: path, reason: "rename: \(errorText())") }
        done = true
    }

    /// The file a chain of symbolic links at `path` ends at (the path itself when it is no
    /// link); the last link's target need not exist yet.
    static func linkTarget(of path: String) throws -> String {
        var current = path
        for _ in 0..<40 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            if count < 0 {
                guard errno == EINVAL || errno == ENOENT else { throw FileWriteError(path: path, reason: errorText()) }
                return current
            }
            let destination = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if destination.hasPrefix("/") {
                current = destination
            } else {
                let slash = current.lastIndex(of: "/")
                current = slash.map { String(current[...$0]) + destination } ?? destination
            }
        }
        throw FileWriteError(path: path, reason: "too many levels of symbolic links")
    }

    /// The folder (links resolved) and name an output is renamed to: two output paths with the
    /// same key would write the same file (`./s.npy` and `s.npy`), whatever their spelling.
    public static func targetKey(of path: String) -> String {
        let (folder, name) = split(path)
        guard let resolved = realpath(folder, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved) + "/" + name
    }

    /// Checks, before any work, that `path` can be written: a file name in an existing,
    /// writable folder, and no existing target other than a regular file (of `kind` or empty,
    /// when a kind is given). Returns the folder and the file name. `shown` is the path errors
    /// name (the path given, when `path` is a link's target).
    @discardableResult
    public static func checkTarget(_ path: String, replacing kind: Kind?, naming shown: String? = nil) throws -> (folder: String, name: String) {
        guard !path.isEmpty else { throw FileWriteError(path: "''", reason: "the output path is empty") }
        let shown = shown ?? path
        let (folder, name) = split(path)
        guard !name.isEmpty, name != ".", name != ".." else { throw FileWriteError(path: shown, reason: "the path names a folder, not a file") }
        var info = stat()
        if stat(path, &info) == 0 {
            let type = info.st_mode & S_IFMT
            guard type == S_IFREG else {
                throw FileWriteError(path: shown, reason: "exists and is \(describe(type)), not a regular file; qlx replaces only regular files")
            }
            // An empty file holds nothing to lose (`touch out.png` first is fine).
            if let kind, info.st_size > 0, !kind.matches(prefix(of: path, count: kind.prefixLength)) {
                throw FileWriteError(path: shown, reason: "exists and is not \(kind.name); \(kind.hint)")
            }
        } else if errno != ENOENT {
            throw FileWriteError(path: shown, reason: errorText())
        }
        guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw FileWriteError(path: shown, reason: "the folder \(folder) does not exist")
        }
        guard access(folder, W_OK) == 0 else { throw FileWriteError(path: shown, reason: "the folder \(folder) is not writable") }
        return (folder, name)
    }

    /// "a/b/c.npy" → ("a/b", "c.npy"); "c.npy" → (".", "c.npy"); "/c.npy" → ("/", "c.npy").
    private static func split(_ path: String) -> (folder: String, name: String) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return (folder, name)
    }

    /// ".NAME.tmp-": every temporary file of `name` starts so, followed by "PID-RAND".
    static func temporaryPrefix(of name: String) -> String { ".\(name).tmp-" }

    /// Removes `.NAME.tmp-PID-RAND` files whose process no longer exists.
    static func removeStaleTemporaries(of name: String, in folder: String) {
        let prefix = temporaryPrefix(of: name)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0,
                  UInt32(rest[rest.index(after: dash)...]) != nil else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder + "/" + entry) }
        }
    }

    private static func prefix(of path: String, count: Int) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: count)) ?? Data())
    }

    /// "a symbolic link", "a named pipe": what is at `path` when it is there and is not a
    /// regular file (nil otherwise); the link itself, not its target.
    static func nonRegularKind(at path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG else { return nil }
        return describe(info.st_mode & S_IFMT)
    }

    static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFLNK: return "a symbolic link"
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a named pipe"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }

    /// "No space left on device" rather than Foundation's wrapped description.
    private static func posixReason(of error: Error) -> String {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}

/// A file qlx could not write: "PATH: cannot write: REASON". Modules that name the kind of
/// file ("cannot write .npy file") keep `reason` and wrap it in their own error.
public struct FileWriteError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): cannot write: \(reason)" }
}

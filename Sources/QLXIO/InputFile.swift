import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way qlx opens a file it reads (checkpoints, configs, .npy, .eqx, dataset files and
/// their cache entries, key scripts): only a regular file, or a symlink to one, is read. A
/// named pipe is opened without waiting for a writer (`O_NONBLOCK`), so no input can block
/// qlx in open() forever, and then refused like devices (no size; a read of /dev/zero never
/// ends) and folders (no bytes); each named for what it is.
public enum InputFile {
    /// An open descriptor of the regular file at `path` (blocking reads, close-on-exec); the
    /// caller closes it.
    public static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            switch errno {
            case ENOENT: throw FileReadError(path: path, reason: "no such file")
            case EACCES: throw FileReadError(path: path, reason: "permission denied")
            default: throw FileReadError(path: path, reason: String(cString: strerror(errno)))
            }
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw FileReadError(path: path, reason: reason)
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            close(fd)
            throw FileReadError(path: path, reason: "is \(AtomicFile.describe(type)), not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// The whole regular file at `path`, refused before reading when larger than `limit`
    /// bytes (a config or a key script is small; a mistaken path may name a 5 GB file).
    public static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = try open(path)
        defer { close(fd) }
        var info = stat()
        _ = fstat(fd, &info)
        let size = Int(info.st_size)
        guard size <= limit else {
            throw FileReadError(path: path, reason: "is \(SizeLimit.byteCount(size)), expected at most \(SizeLimit.byteCount(limit))")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, size - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw FileReadError(path: path, reason: count == 0 ? "the file shrank while it was read"
                                                                    : String(cString: strerror(errno)))
            }
            done += count
        }
        return bytes
    }

    /// The whole regular file at `path` as UTF-8 text (invalid bytes replaced), at most `limit` bytes.
    public static func text(_ path: String, limit: Int) throws -> String {
        String(decoding: try read(path, limit: limit), as: UTF8.self)
    }
}

/// A file qlx could not read: "PATH: cannot read: REASON". Modules that name the kind of file
/// ("cannot read the config") keep `reason` and wrap it in their own error.
public struct FileReadError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): cannot read: \(reason)" }
}

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on an output for the length of a run (`qlx train -o PATH`): flock(2) on
/// `PATH.lock`, so two runs writing the same checkpoint cannot both go on (the last save would
/// silently win). The kernel drops the lock when the process ends, however it ends; the file
/// is removed on release. The lock file is opened without following a symlink and must be a
/// regular file: a link planted at `PATH.lock` would otherwise have its target truncated (or
/// created), and a named pipe or device there would be written to and then removed.
public final class OutputLock {
    public let path: String
    private let fd: Int32
    private let identity: (device: dev_t, inode: ino_t)

    /// Takes the lock or throws at once, naming the process that holds it.
    public init(for output: String) throws {
        path = output + ".lock"
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o666)
            guard fd >= 0 else {
                if let kind = AtomicFile.nonRegularKind(at: path) { throw Self.notALockFile(output: output, lock: path, kind: kind) }
                throw FileWriteError(path: output, reason: "cannot create the lock file \(path): \(AtomicFile.errorText())")
            }
            var opened = stat()
            guard fstat(fd, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG else {
                close(fd)
                throw Self.notALockFile(output: output, lock: path, kind: AtomicFile.describe(opened.st_mode & S_IFMT))
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                close(fd)
                let who = holder.flatMap(Int32.init).map { "process \($0)" } ?? "another process"
                throw FileWriteError(path: output, reason: "\(who) is writing it (lock \(path)); wait for it to finish or choose another -o")
            }
            // A lock file removed by its previous holder between open and flock is stale: retry.
            var current = stat()
            if lstat(path, &current) == 0, opened.st_ino == current.st_ino, opened.st_dev == current.st_dev {
                let pid = Array("\(getpid())\n".utf8)
                _ = ftruncate(fd, 0)
                _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                self.fd = fd
                identity = (opened.st_dev, opened.st_ino)
                return
            }
            close(fd)
        }
    }

    /// "exists and is a symbolic link, not a regular file": whatever is there is left alone.
    private static func notALockFile(output: String, lock: String, kind: String) -> FileWriteError {
        FileWriteError(path: output, reason: "the lock file \(lock) exists and is \(kind), not a regular file; remove it or choose another -o")
    }

    /// Removes the lock file only if it is still the one this lock opened.
    deinit {
        var current = stat()
        if lstat(path, &current) == 0, current.st_dev == identity.device, current.st_ino == identity.inode { unlink(path) }
        close(fd)
    }
}

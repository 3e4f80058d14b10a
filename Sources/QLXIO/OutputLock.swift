import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on an output for the length of a run (`qlx train -o PATH`): flock(2) on
/// `PATH.lock`, so two runs writing the same checkpoint cannot both go on (the last save would
/// silently win). The kernel drops the lock when the process ends, however it ends; the file
/// is removed on release.
public final class OutputLock {
    public let path: String
    private let fd: Int32

    /// Takes the lock or throws at once, naming the process that holds it.
    public init(for output: String) throws {
        path = output + ".lock"
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw FileWriteError(path: output, reason: "cannot create the lock file \(path): \(AtomicFile.errorText())") }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                close(fd)
                let who = holder.flatMap(Int32.init).map { "process \($0)" } ?? "another process"
                throw FileWriteError(path: output, reason: "\(who) is writing it (lock \(path)); wait for it to finish or choose another -o")
            }
            // A lock file removed by its previous holder between open and flock is stale: retry.
            var opened = stat(), current = stat()
            if fstat(fd, &opened) == 0, stat(path, &current) == 0, opened.st_ino == current.st_ino, opened.st_dev == current.st_dev {
                let pid = Array("\(getpid())\n".utf8)
                _ = ftruncate(fd, 0)
                _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                self.fd = fd
                return
            }
            close(fd)
        }
    }

    deinit {
        unlink(path)
        close(fd)
    }
}

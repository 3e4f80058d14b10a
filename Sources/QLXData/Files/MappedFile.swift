import CMappedGuard
import Foundation
import QLXIO
import Synchronization

/// A read-only memory map of a whole file; unmapped when the last reference goes.
///
/// Dataset files are read in place, never copied: a 5.9 GB Shapes3D file costs only the
/// pages a request touches, and those live in the page cache, shared and reclaimable. The
/// price is that the file can change under the map. A file cut short (`np.save` over a
/// training set truncates it first) would end the process with SIGBUS; the map is guarded
/// (CMappedGuard) so such a read gets zeros instead and is counted. `MappedFiles.changed()`
/// reports a guarded fault or a change of the file's size or modification time since it was
/// mapped, so a long reader (training) can stop cleanly, before it learns from what it read.
final class MappedFile: @unchecked Sendable {
    let path: String
    let bytes: UnsafeRawBufferPointer
    /// Kept open: `fstat` on it sees the mapped file even after another is renamed over the path.
    private let descriptor: Int32
    private let guardSlot: Int32
    private let opened: (size: Int, modified: timespec)

    init(path: String) throws {
        self.path = path
        let fd: Int32
        do { fd = try InputFile.open(path) } catch let error as FileReadError {
            throw DataError.fileUnreadable(path: path, reason: error.reason)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw DataError.fileUnreadable(path: path, reason: reason)
        }
        let size = Int(info.st_size)
        guard size > 0 else {
            close(fd)
            throw DataError.fileUnreadable(path: path, reason: "the file is empty")
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw DataError.fileUnreadable(path: path, reason: "cannot map it: \(reason)")
        }
        // Images are read in random order: read-ahead around each fault would only evict
        // pages that are needed (measured on the 5.9 GB Shapes3D layout: far fewer images/s).
        madvise(base, size, MADV_RANDOM)
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        descriptor = fd
        opened = (size, info.st_mtim)
        guardSlot = qlx_mapped_guard_register(base, size)
        MappedFiles.add(self)
    }

    deinit {
        qlx_mapped_guard_unregister(guardSlot)
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        close(descriptor)
    }

    /// How the file changed since it was mapped, or nil.
    func change() -> String? {
        let faults = qlx_mapped_guard_faults(guardSlot)
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return "it can no longer be examined" }
        let size = Int(info.st_size)
        if size != opened.size {
            return "its size went from \(opened.size) to \(size) bytes" + (faults > 0 ? "; \(faults) pages vanished while read" : "")
        }
        if faults > 0 { return "\(faults) pages vanished while read" }
        if info.st_mtim.tv_sec != opened.modified.tv_sec || info.st_mtim.tv_nsec != opened.modified.tv_nsec {
            return "it was rewritten"
        }
        return nil
    }
}

/// The dataset files mapped now, for readers that run long enough to see one change.
public enum MappedFiles {
    private static let live = Mutex<[Weak]>([])

    private struct Weak: @unchecked Sendable { weak var file: MappedFile? }

    static func add(_ file: MappedFile) {
        live.withLock { files in
            files.removeAll { $0.file == nil }
            files.append(Weak(file: file))
        }
    }

    /// The first mapped file that was cut short, grew or was rewritten since it was mapped, as
    /// an error naming it; nil when none was. A check is one `fstat` per file: cheap enough
    /// for every training step.
    public static func changed() -> DataError? {
        let files = live.withLock { $0.compactMap(\.file) }
        for file in files {
            if let change = file.change() { return .fileChanged(path: file.path, reason: change) }
        }
        return nil
    }
}

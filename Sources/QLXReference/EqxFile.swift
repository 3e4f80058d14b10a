import Foundation
import QLXData
import QLXIO

/// The records of an `.eqx` file: what `eqx.tree_serialise_leaves` writes, one `.npy` record
/// per array or Python-scalar leaf of the model's PyTree, back to back, with no names.
public enum EqxFile {
    /// Every record in file order, read one at a time: each record's header is checked before
    /// its data is read, and all records together must fit in the memory limit, so a file
    /// that is not an .eqx file, or declares more than memory holds, is refused after a few
    /// bytes instead of being read whole first. Throws `ReferenceError.unreadableRecords`
    /// naming the file and the byte offset of a record that is not valid `.npy`.
    public static func read(path: String) throws -> [NpyArray] {
        let fd: Int32
        do { fd = try InputFile.open(path) } catch let error as FileReadError {
            throw ReferenceError.unreadableRecords(path: path, reason: error.reason)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ReferenceError.unreadableRecords(path: path, reason: String(cString: strerror(errno)))
        }
        return try records(fileSize: Int(info.st_size), path: path) { offset, count in
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw ReferenceError.unreadableRecords(path: path, reason: n == 0 ? "the file shrank while it was read" : String(cString: strerror(errno)))
                }
                done += n
            }
            return bytes
        }
    }

    /// Parses the concatenated records in `bytes`; `path` only names the file in errors.
    public static func records(in bytes: [UInt8], path: String) throws -> [NpyArray] {
        try records(fileSize: bytes.count, path: path) { offset, count in Array(bytes[offset..<(offset + count)]) }
    }

    /// The records of a file of `fileSize` bytes that `read(offset, count)` reads from.
    static func records(fileSize: Int, path: String, reading read: (_ offset: Int, _ count: Int) throws -> [UInt8]) throws -> [NpyArray] {
        var out: [NpyArray] = []
        var offset = 0
        var elements = 0
        while offset < fileSize {
            do {
                let (array, end) = try Npy.decodeRecord(at: offset, fileSize: fileSize, path: path, reading: read)
                // Elements are held widened to 8 bytes: the records together must fit too.
                elements += array.count
                try SizeLimit.check([elements], bytesEach: 8, what: "the records up to record \(out.count)")
                out.append(array)
                offset = end
            } catch let error as DataError {
                // The message names the file already; say it once.
                var reason = "\(error)"
                if reason.hasPrefix(path + ": ") { reason.removeFirst(path.count + 2) }
                throw ReferenceError.unreadableRecords(path: path, reason: "record \(out.count) at byte \(offset): \(reason)")
            } catch let error as SizeError {
                throw ReferenceError.unreadableRecords(path: path, reason: "\(error)")
            }
        }
        return out
    }
}

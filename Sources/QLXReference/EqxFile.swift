import Foundation
import QLXData

/// The records of an `.eqx` file: what `eqx.tree_serialise_leaves` writes, one `.npy` record
/// per array or Python-scalar leaf of the model's PyTree, back to back, with no names.
public enum EqxFile {
    /// Every record in file order. Throws `ReferenceError.unreadableRecords` naming the file
    /// and the byte offset of a record that is not valid `.npy`.
    public static func read(path: String) throws -> [NpyArray] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ReferenceError.unreadableRecords(path: path, reason: error.localizedDescription)
        }
        return try records(in: [UInt8](data), path: path)
    }

    /// Parses the concatenated records in `bytes`; `path` only names the file in errors.
    public static func records(in bytes: [UInt8], path: String) throws -> [NpyArray] {
        var out: [NpyArray] = []
        var offset = 0
        while offset < bytes.count {
            do {
                let (array, end) = try Npy.decodeRecord(bytes, at: offset, path: path)
                out.append(array)
                offset = end
            } catch let error as DataError {
                // The message names the file already; say it once.
                var reason = "\(error)"
                if reason.hasPrefix(path + ": ") { reason.removeFirst(path.count + 2) }
                throw ReferenceError.unreadableRecords(path: path, reason: "record \(out.count) at byte \(offset): \(reason)")
            }
        }
        return out
    }
}

import Foundation
import QLXIO

/// Where decompressed dataset members live: `$XDG_CACHE_HOME/qlx` (or `~/.cache/qlx`), one
/// folder per source file keyed by its name, size and modification time, so an edited or
/// replaced source gets a new folder and the stale one is removed. Files are written to a
/// temporary name and renamed, so a killed build never leaves a file that looks complete.
public struct DatasetCache: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// The default location, from the environment.
    public static func standard() -> DatasetCache {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return DatasetCache(root: xdg + "/qlx") }
        return DatasetCache(root: (env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/qlx")
    }

    /// The cache path of one member of `source`; creates its folder and removes stale folders
    /// of the same source name.
    func memberPath(source: String, member: String) throws -> String {
        let fm = FileManager.default
        let attributes: [FileAttributeKey: Any]
        do { attributes = try fm.attributesOfItem(atPath: source) } catch {
            throw DataError.fileUnreadable(path: source, reason: "no such file")
        }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let name = URL(fileURLWithPath: source).lastPathComponent
        let folderName = "\(name)-\(size)-\(Int64(modified * 1_000_000))"
        let folder = root + "/" + folderName
        do {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DataError.cacheFailed(path: source, reason: "cannot create \(folder): \(error.localizedDescription)")
        }
        for other in (try? fm.contentsOfDirectory(atPath: root)) ?? []
        where other != folderName && other.hasPrefix(name + "-") && other.dropFirst(name.count + 1).first?.isNumber == true {
            try? fm.removeItem(atPath: root + "/" + other)
        }
        return folder + "/" + member + ".npy"
    }

    /// Writes `target` through QLXIO's one atomic writer: renamed into place only when
    /// `fill` returns; on any error the temporary file is removed.
    func write(to target: String, _ fill: (FileHandle) throws -> Void) throws {
        do { try AtomicFile.write(to: target, fill) } catch let error as FileWriteError {
            throw DataError.cacheFailed(path: target, reason: error.reason)
        }
    }
}

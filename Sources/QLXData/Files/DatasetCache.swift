import Foundation
import QLXIO

/// Where decompressed dataset members live: `$XDG_CACHE_HOME/qlx` (or `~/.cache/qlx`), one
/// folder per source file. The folder is keyed by the source's name, a hash of its full path
/// (two `data.npz` in different folders never share one), and a hash of its state: device,
/// inode, size, modification time and the archive's own record of its members (names, CRC-32s
/// and sizes), so a file edited, replaced or copied over in place gets a new folder even
/// within one tick of the clock; the stale folder of the same path, and folders of same-named
/// sources that are gone, are removed. Files are
/// written to a temporary name and renamed, so a killed build never leaves a file that looks
/// complete.
public struct DatasetCache: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// The default location, from the environment.
    public static func standard() -> DatasetCache {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return DatasetCache(root: xdg + "/qlx") }
        return DatasetCache(root: (env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/qlx")
    }

    /// The cache path of one member of `source`, whose members the archive describes by
    /// `contents` (a hash of their names, CRC-32s and sizes); creates its folder and removes
    /// stale folders of the same source path.
    func memberPath(source: String, member: String, contents: UInt64) throws -> String {
        let fm = FileManager.default
        var info = stat()
        guard stat(source, &info) == 0, let resolved = realpath(source, nil) else {
            throw DataError.fileUnreadable(path: source, reason: String(cString: strerror(errno)))
        }
        let fullPath = String(cString: resolved)
        free(resolved)
        var state = Fingerprint()
        for field in [UInt64(info.st_dev), UInt64(info.st_ino), UInt64(bitPattern: Int64(info.st_size)),
                      UInt64(bitPattern: Int64(info.st_mtim.tv_sec)), UInt64(bitPattern: Int64(info.st_mtim.tv_nsec)), contents] {
            state.add(field)
        }
        var place = Fingerprint()
        place.add(fullPath)
        let name = URL(fileURLWithPath: source).lastPathComponent
        let sameSource = "\(name)-\(place.hex)-"
        let folderName = sameSource + state.hex
        let folder = root + "/" + folderName
        do {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DataError.cacheFailed(path: source, reason: "cannot create \(folder): \(error.localizedDescription)")
        }
        let record = folder + "/" + Self.sourceRecord
        if (try? String(contentsOfFile: record, encoding: .utf8)) != fullPath {
            try write(to: record) { try $0.write(contentsOf: Data(fullPath.utf8)) }
        }
        for other in (try? fm.contentsOfDirectory(atPath: root)) ?? [] where other != folderName && isStale(other, sameSource: sameSource, name: name) {
            try? fm.removeItem(atPath: root + "/" + other)
        }
        return folder + "/" + member + ".npy"
    }

    /// The file in each folder that names its source's full path.
    static let sourceRecord = "source-path"

    /// Another state of the same source path; a folder of a source of the same name that is
    /// gone (moved or deleted: its gigabytes would otherwise stay for good); or a folder in the
    /// older NAME-SIZE-MTIME form, which no source is looked up by any more.
    private func isStale(_ folder: String, sameSource: String, name: String) -> Bool {
        if folder.hasPrefix(sameSource) { return true }
        guard folder.hasPrefix(name + "-") else { return false }
        let rest = folder.dropFirst(name.count + 1).split(separator: "-", omittingEmptySubsequences: false)
        if rest.count == 2 && rest.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) { return true }
        guard let source = try? String(contentsOfFile: root + "/" + folder + "/" + Self.sourceRecord, encoding: .utf8) else { return false }
        return !FileManager.default.fileExists(atPath: source)
    }

    /// Writes `target` through QLXIO's one atomic writer: renamed into place only when
    /// `fill` returns; on any error the temporary file is removed. The cache folder is qlx's
    /// own, so whatever is at `target` is replaced.
    func write(to target: String, _ fill: (FileHandle) throws -> Void) throws {
        do { try AtomicFile.write(to: target, replacing: nil, fill) } catch let error as FileWriteError {
            throw DataError.cacheFailed(path: target, reason: error.reason)
        }
    }
}

/// FNV-1a, 64 bits: a stable hash of cache keys (Swift's `Hasher` is seeded per process).
struct Fingerprint {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01B3 }
    }

    mutating func add(_ number: UInt64) { withUnsafeBytes(of: number.littleEndian) { add($0) } }

    mutating func add(_ text: String) {
        add(UInt64(text.utf8.count))
        add(text.utf8)
    }

    /// 16 hex digits.
    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

import Foundation
import QLXIO
import ZIPFoundation

/// Progress of a long file operation: bytes done and bytes in all.
public typealias ProgressHandler = @Sendable (_ done: Int64, _ total: Int64) -> Void

/// An .npz file (a zip archive of .npy members, as np.savez and np.savez_compressed write
/// them). Members are decompressed once into the cache and memory-mapped from there, so the
/// archive is never held in memory. Members are read only as .npy arrays: an object array
/// (a pickle, like dSprites' `metadata`) is refused, never unpickled.
public struct NpzArchive {
    public let path: String
    /// Member names without the ".npy" suffix, in archive order.
    public let memberNames: [String]
    private let archive: Archive
    /// The archive's record of its members (names, CRC-32s, sizes), hashed: part of the cache
    /// key, so a changed member never reads the cache of the old one.
    private let contents: UInt64

    public init(path: String) throws {
        self.path = path
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw DataError.datasetFileInvalid(path: path, expected: "an .npz (zip) archive", found: "an unreadable archive (\(error))")
        }
        // A zip may hold two entries of one name: numpy reads the last, qlx would read the
        // first, so the two would see different data.
        var seen = Set<String>()
        if let repeated = archive.map(\.path).first(where: { !seen.insert($0).inserted }) {
            throw DataError.datasetFileInvalid(path: path, expected: "each member name once",
                                               found: "two members named \(quoted(repeated)) (numpy would read the last, qlx the first)")
        }
        memberNames = archive.map { $0.path }.filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) }
        var contents = Fingerprint()
        for entry in archive {
            contents.add(entry.path)
            for field in [UInt64(entry.checksum), entry.compressedSize, entry.uncompressedSize] { contents.add(field) }
        }
        self.contents = contents.value
    }

    public func contains(_ member: String) -> Bool { memberNames.contains(member) }

    /// "members 'imgs', 'latents_classes'" for messages (names from the file, quoted; the first 20).
    public var membersFound: String { "members " + memberNames.prefix(20).map { quoted($0) }.joined(separator: ", ") }

    /// The member as a memory-mapped array, decompressing it into `cache` on first use.
    public func array(_ member: String, cache: DatasetCache, progress: ProgressHandler? = nil) throws -> MappedNpy {
        guard let entry = archive[member + ".npy"] else {
            throw DataError.datasetFileInvalid(path: path, expected: "a member '\(member)'", found: membersFound)
        }
        let target = try cache.memberPath(source: path, member: member, contents: contents)
        let label = "\(path) member \(member)"
        if let cached = try? MappedNpy(path: target), UInt64(cached.fileSize) == entry.uncompressedSize {
            return cached
        }
        // Deflate packs at most 1032 bytes into one (and a few bytes of stream overhead): a member
        // declaring more is corrupt or a bomb, refused before anything is written to the cache.
        guard entry.uncompressedSize / 1032 <= entry.compressedSize || entry.uncompressedSize <= 4096 else {
            throw DataError.datasetFileInvalid(path: path, expected: "member \(member).npy at most 1032 times its \(entry.compressedSize) compressed bytes (deflate's largest ratio)",
                                               found: "\(entry.uncompressedSize) bytes declared (corrupt or crafted?)")
        }
        try refuseNonNumeric(entry, label: label)
        try cache.write(to: target) { handle in
            var done: Int64 = 0
            let total = Int64(clamping: entry.uncompressedSize)
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    // Never more than the entry declares onto the disk: a member that inflates
                    // past it stops here, not when the disk is full.
                    guard done + Int64(chunk.count) <= total else { throw MemberLongerThanDeclared() }
                    do { try handle.write(contentsOf: chunk) } catch { throw CacheWriteFailed(underlying: error) }
                    done += Int64(chunk.count)
                    progress?(done, total)
                }
            } catch let failure as CacheWriteFailed {
                // The cache's disk, not the input (a full disk): the atomic writer names the reason.
                throw failure.underlying
            } catch is MemberLongerThanDeclared {
                throw DataError.datasetFileInvalid(path: path, expected: "member \(member).npy of \(total) bytes, as its zip entry declares",
                                                   found: "a member that inflates past them (corrupt or crafted?)")
            } catch {
                throw DataError.datasetFileInvalid(path: path, expected: "a complete member \(member).npy",
                                                   found: "a truncated or corrupt member (\(error))")
            }
            guard done == total else {
                throw DataError.datasetFileInvalid(path: path, expected: "a complete member \(member).npy",
                                                   found: "a truncated or corrupt member (\(done) of \(total) bytes)")
            }
        }
        do {
            return try MappedNpy(path: target, label: label)
        } catch {
            try? FileManager.default.removeItem(atPath: target)
            throw error
        }
    }

    private struct MemberLongerThanDeclared: Error {}
    private struct CacheWriteFailed: Error { let underlying: Error }

    /// Reads only the member's header (the first chunk) and checks its dtype, so a pickled
    /// object array is refused before anything is decompressed to disk.
    private func refuseNonNumeric(_ entry: Entry, label: String) throws {
        struct Enough: Error {}
        var head = Data()
        do {
            _ = try archive.extract(entry, bufferSize: 16_384, skipCRC32: true) { chunk in
                head.append(chunk)
                if head.count >= 4096 { throw Enough() }
            }
        } catch is Enough {
        } catch {
            throw DataError.datasetFileInvalid(path: path, expected: "a readable member \(quoted(entry.path))", found: escaped("\(error)"))
        }
        let header = try NpyHeader.parse([UInt8](head), path: label)
        _ = try NpyDType(descriptor: header.descr, path: label)
    }
}

import Foundation
import QLXTestSupport
import XCTest
import QLXCore
import QLXData

/// Dataset files in the published formats, against what numpy and h5py read from the same
/// files (scripts/golden/dataset_files.py writes both).
final class DatasetFileTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/datasets")
    var cacheRoot = ""

    override func setUp() {
        cacheRoot = NSTemporaryDirectory() + "qlx-cache-tests-\(getpid())-\(UUID().uuidString)"
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: cacheRoot) }

    func path(_ name: String) -> String { Self.directory.appendingPathComponent(name).path }

    func open(_ name: String, progress: ProgressHandler? = nil) throws -> FileDataset {
        try DatasetFile.open(path: path(name), cache: DatasetCache(root: cacheRoot), progress: progress)
    }

    func expected(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent("expected.json"))
        return (try JSONSerialization.jsonObject(with: data) as! [String: Any])[name] as! [String: Any]
    }

    /// Same images (sums and sampled pixels), same classes, same order as numpy/h5py.
    func assertMatchesNumpy(_ dataset: FileDataset, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let truth = try expected(name)
        let shape = truth["shape"] as! [Int]
        XCTAssertEqual(dataset.count, shape[0], file: file, line: line)
        XCTAssertEqual([dataset.imageShape.channels, dataset.imageShape.height, dataset.imageShape.width], Array(shape.dropFirst()),
                       file: file, line: line)
        let images = try dataset.images(at: Array(0..<dataset.count))
        let size = shape.dropFirst().reduce(1, *)
        let sums = truth["sums"] as! [Double], pixels = truth["pixels"] as! [[Double]], offsets = truth["pixel_offsets"] as! [Int]
        let classes = truth["classes"] as! [[Int]]
        for i in 0..<dataset.count {
            let image = images.data[(i * size)..<((i + 1) * size)]
            XCTAssertEqual(image.reduce(0.0) { $0 + Double($1) }, sums[i], accuracy: 1e-3, "image \(i) sum", file: file, line: line)
            for (k, offset) in offsets.enumerated() {
                XCTAssertEqual(Double(image[image.startIndex + offset]), pixels[i][k], accuracy: 1e-6, "image \(i) pixel \(offset)", file: file, line: line)
            }
            XCTAssertEqual(dataset.factors(at: i), classes[i], "classes of image \(i)", file: file, line: line)
        }
        XCTAssertTrue(images.data.allSatisfy { $0 >= 0 && $0 <= 1 }, file: file, line: line)
    }

    func testDSpritesFileKeepsItsZeroOneImagesAndDropsTheColourColumn() throws {
        let dataset = try open("dsprites_small.npz")
        XCTAssertEqual(dataset.name, "dsprites")
        XCTAssertEqual(dataset.factorNames, ["shape", "scale", "orientation", "posX", "posY"])
        XCTAssertEqual(dataset.factorSizes, [3, 2, 2, 2, 2])
        try assertMatchesNumpy(dataset, "dsprites_small.npz")
        XCTAssertTrue(try dataset.images(at: [0, 5]).data.allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertEqual(dataset.index(of: [2, 1, 0, 1, 1]), dataset.count - 5)
    }

    func testShapes3DFileIsReadByHyperslabAndItsLabelsLabelEncoded() throws {
        let dataset = try open("shapes3d_small.h5")
        XCTAssertEqual(dataset.name, "shapes3d")
        XCTAssertEqual(dataset.factorNames, ["floorHue", "wallHue", "objectHue", "scale", "shape", "orientation"])
        try assertMatchesNumpy(dataset, "shapes3d_small.h5")
    }

    /// qlx decodes HDF5 chunks itself (not through libhdf5's read path): shuffle, gzip and
    /// fletcher32 undone, chunks spanning rows and half images, a partial last chunk, an
    /// unwritten image read as zeros, big-endian float32 labels; as h5py reads them.
    func testShapes3DFileWithEveryFilterReadsAsH5pyReadsIt() throws {
        let dataset = try open("shapes3d_filters.h5")
        try assertMatchesNumpy(dataset, "shapes3d_filters.h5")
        XCTAssertTrue(try dataset.images(at: [6]).data.allSatisfy { $0 == 0 }, "an unwritten image is HDF5's fill value")
    }

    func testGenericChannelsFirstFloatFile() throws {
        let dataset = try open("generic_small.npz")
        XCTAssertEqual(dataset.factorNames, ["factor0", "factor1"])
        try assertMatchesNumpy(dataset, "generic_small.npz")
        let named = try DatasetFile.open(path: path("generic_small.npz"), factorNames: ["a", "b"], cache: DatasetCache(root: cacheRoot))
        XCTAssertEqual(named.factorNames, ["a", "b"])
    }

    /// NaN pixels in a float image file trapped where a pixel became a byte (`traverse --png`,
    /// the explorer's sample); images are clamped to [0, 1], NaN as 0, where they come in.
    func testNonFiniteFloatPixelsAreReadAsZeroOrClamped() throws {
        let images = cacheRoot + "-images.npy", classes = cacheRoot + "-classes.npy"
        defer { for file in [images, classes] { try? FileManager.default.removeItem(atPath: file) } }
        try Npy.write(float32: [.nan, .infinity, -.infinity, 2, -1, 0.25, .nan, 0.5], shape: [2, 2, 2], to: images)
        try Npy.write(int64: [0, 1], shape: [2, 1], to: classes)
        let dataset = try DatasetFile.open(path: images, classesPath: classes, cache: DatasetCache(root: cacheRoot))
        XCTAssertEqual(try dataset.images(at: [0, 1]).data, [0, 1, 0, 1, 0, 0.25, 0, 0.5])
    }

    /// A named pipe with no writer blocked open() forever as --data, --data-classes or a
    /// cache entry; every input now refuses it at once, as it refuses devices and folders.
    func testNamedPipesAndDevicesAsDatasetInputsAreRefusedWithoutBlocking() throws {
        let fifo = cacheRoot + "-fifo", images = cacheRoot + "-images.npy"
        defer { for file in [fifo, images] { try? FileManager.default.removeItem(atPath: file) } }
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try Npy.write(float32: [0, 1], shape: [2, 1, 1], to: images)
        let cache = DatasetCache(root: cacheRoot)
        func assertRefused(_ open: @autoclosure () throws -> FileDataset, _ message: String, line: UInt = #line) {
            XCTAssertThrowsError(try open(), line: line) { XCTAssertEqual("\($0)", message, line: line) }
        }
        assertRefused(try DatasetFile.open(path: fifo, cache: cache), "\(fifo): cannot read: is a named pipe, not a regular file")
        assertRefused(try DatasetFile.open(path: "/dev/zero", cache: cache), "/dev/zero: cannot read: is a character device, not a regular file")
        assertRefused(try DatasetFile.open(path: NSTemporaryDirectory(), cache: cache), "\(NSTemporaryDirectory()): cannot read: is a folder, not a regular file")
        assertRefused(try DatasetFile.open(path: images, classesPath: fifo, cache: cache), "\(fifo): cannot read: is a named pipe, not a regular file")
        // A cache entry replaced by a pipe: named, not waited on.
        _ = try open("generic_small.npz")
        let entries = (FileManager.default.enumerator(atPath: cacheRoot)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".npy") }
        XCTAssertFalse(entries.isEmpty)
        for entry in entries {
            try FileManager.default.removeItem(atPath: cacheRoot + "/" + entry)
            XCTAssertEqual(mkfifo(cacheRoot + "/" + entry, 0o600), 0)
        }
        XCTAssertThrowsError(try open("generic_small.npz")) {
            XCTAssertTrue("\($0)".hasSuffix("cannot build the decompressed cache: exists and is a named pipe, not a regular file; qlx replaces only regular files"), "\($0)")
        }
    }

    /// A full disk while a member was decompressed into the cache was reported as a
    /// "truncated or corrupt member" of the input; it names the disk's error. Needs root, to
    /// mount a 64 kB tmpfs as the cache.
    func testAFullDiskWhileCachingNamesTheDiskNotTheInput() throws {
        let full = cacheRoot + "-full"
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: full) }
        func mount(_ arguments: [String]) throws -> Int32 {
            let process = try Process.run(URL(fileURLWithPath: "/bin/mount"), arguments: arguments)
            process.waitUntilExit()
            return process.terminationStatus
        }
        guard getuid() == 0, try mount(["-t", "tmpfs", "-o", "size=64k", "tmpfs", full]) == 0 else {
            throw XCTSkip("mounting a tmpfs needs root")
        }
        defer { _ = try? Process.run(URL(fileURLWithPath: "/bin/umount"), arguments: [full]).waitUntilExit() }
        XCTAssertThrowsError(try DatasetFile.open(path: path("generic_small.npz"), cache: DatasetCache(root: full + "/cache"))) { error in
            XCTAssertTrue("\(error)".hasSuffix(": cannot build the decompressed cache: No space left on device"), "\(error)")
            XCTAssertFalse("\(error)".contains("corrupt"), "\(error)")
        }
    }

    func testFormatComesFromContentNotExtension() throws {
        let copy = cacheRoot + "-renamed.dat"
        try FileManager.default.copyItem(atPath: path("shapes3d_small.h5"), toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        XCTAssertEqual(try DatasetFile.open(path: copy, cache: DatasetCache(root: cacheRoot)).name, "shapes3d")
    }

    func testCompressedMembersAreCachedOnceWithProgressAndStaleOrCorruptCachesRebuilt() throws {
        final class Calls: @unchecked Sendable { var count = 0 }
        let calls = Calls()
        _ = try open("dsprites_small.npz") { _, _ in calls.count += 1 }
        XCTAssertGreaterThan(calls.count, 0, "the first open decompresses with progress")
        let first = calls.count
        _ = try open("dsprites_small.npz") { _, _ in calls.count += 1 }
        XCTAssertEqual(calls.count, first, "the second open maps the cache")

        // Corrupt the cached images: the next open notices and rebuilds.
        let folders = try FileManager.default.contentsOfDirectory(atPath: cacheRoot)
        XCTAssertEqual(folders.count, 1)
        let cached = cacheRoot + "/" + folders[0] + "/imgs.npy"
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: cached))
        try assertMatchesNumpy(try open("dsprites_small.npz"), "dsprites_small.npz")

        // A stale folder (another size or time of the same file name) is removed.
        try FileManager.default.createDirectory(atPath: cacheRoot + "/dsprites_small.npz-1-2", withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: cached)
        _ = try open("dsprites_small.npz")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cacheRoot), folders)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: cacheRoot + "/" + folders[0]).contains { $0.contains(".tmp-") })
    }

    /// Two different data.npz of one size and one modification time, in two folders: the
    /// cache was keyed by name, size and time, so the second was served the first's images.
    func testLookAlikeFilesInTwoFoldersNeverShareACacheEntry() throws {
        let scratch = try makeScratchDirectory("look-alikes")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var paths: [String] = []
        for (folder, fixture) in [("a", "look_alike_dark.npz"), ("b", "look_alike_light.npz")] {
            let target = scratch.appendingPathComponent(folder + "/data.npz").path
            try FileManager.default.createDirectory(atPath: scratch.appendingPathComponent(folder).path, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: path(fixture), toPath: target)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_600_000_000)], ofItemAtPath: target)
            paths.append(target)
        }
        func firstPixel(_ path: String) throws -> Float {
            try DatasetFile.open(path: path, cache: DatasetCache(root: cacheRoot)).images(at: [0]).data[0]
        }
        XCTAssertEqual(try firstPixel(paths[0]), 0)
        XCTAssertEqual(try firstPixel(paths[1]), 1, "the light file read the dark file's cached images")
        XCTAssertEqual(try firstPixel(paths[0]), 0)

        // Overwritten in place (same inode) by a file of the same size, then given back the old
        // time: its members' CRC-32s tell the two apart.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: paths[0]))
        try handle.write(contentsOf: try Data(contentsOf: URL(fileURLWithPath: paths[1])))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_600_000_000)], ofItemAtPath: paths[0])
        XCTAssertEqual(try firstPixel(paths[0]), 1)

        // A source that is gone leaves no cache behind once a file of its name is opened.
        try FileManager.default.removeItem(atPath: paths[0])
        XCTAssertEqual(try firstPixel(paths[1]), 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cacheRoot).count, 1)
    }

    func testBadFilesGiveOneLineErrorsAndLeaveNothingBehind() throws {
        let cases: [(String, String)] = [
            ("bad_no_images.npz", "expected an image array named images, imgs, x, found members 'pictures', 'latents_classes'"),
            ("bad_row_count.npz", "expected 4 rows of factor classes (one per image), found 3"),
            ("bad_rank.npz", "expected images N×H×W, N×H×W×C or N×C×H×W with C 1 or 3, found an array of shape [4, 64]"),
            ("bad_object.npz", "holds a pickled object array (dtype 'O'), which qlx refuses to load"),
            ("bad_truncated.npz", "expected a complete member images.npy, found a truncated or corrupt member"),
            ("bad_bomb_member.npz", "expected member images.npy at most 1032 times its 424 compressed bytes (deflate's largest ratio), found 4294967280 bytes declared (corrupt or crafted?)"),
            ("bad_long_member.npz", "expected member images.npy of 1024 bytes, as its zip entry declares, found a member that inflates past them (corrupt or crafted?)"),
            ("bad_no_labels.h5", "expected a dataset 'labels', found none"),
            ("bad_duplicate_member.npz", "expected each member name once, found two members named 'images.npy' (numpy would read the last, qlx the first)"),
            ("bad_external_images.h5", "expected a dataset 'images' stored in this file, found an external link to another file (copy the data in, e.g. with h5py)"),
            ("bad_huge_images.h5", "expected at most 1032 bytes of 'images' per byte of the file's 2144 (deflate's largest ratio), found [2, 1048576, 1048576, 3] elements"),
            ("expected.json", "expected an .npz (zip), .h5 (HDF5) or .npy dataset file, found other content (first bytes 7b22647370726974)"),
        ]
        for (name, message) in cases {
            XCTAssertThrowsError(try open(name), name) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(name), "\(name): \(text)")
                XCTAssertTrue(text.contains(message), "\(name): \(text)")
                XCTAssertFalse(text.contains("\n"), "\(name): \(text)")
            }
        }
        let leftovers = FileManager.default.enumerator(atPath: cacheRoot)?.allObjects as? [String] ?? []
        XCTAssertFalse(leftovers.contains { $0.contains(".tmp-") }, "\(leftovers)")
        XCTAssertFalse(leftovers.contains { $0.hasSuffix("images.npy") && ["bad_object", "bad_long", "bad_bomb"].contains(where: $0.contains) },
                       "\(leftovers)")
    }

    func testMPI3DGridFollowsThePublishedOrder() throws {
        // MPI3D files store no labels: factors follow from the index (the last factor fastest).
        XCTAssertEqual(DatasetFile.mpi3dSizes.reduce(1, *), 460_800)
        let grid = FactorGrid(sizes: DatasetFile.mpi3dSizes)
        XCTAssertEqual(grid.factors(at: 1), [0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(grid.factors(at: 40), [0, 0, 0, 0, 0, 1, 0])
        XCTAssertEqual(grid.factors(at: 460_799), [3, 3, 1, 2, 2, 39, 39])
        XCTAssertThrowsError(try DatasetFile.open(path: path("bad_rank.npz"), cache: DatasetCache(root: cacheRoot)))
    }
}

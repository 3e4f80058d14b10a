import Foundation
import XCTest
import QLXData

/// libhdf5 runs in a server process per open HDF5 file, never in qlx's own: files open side
/// by side, each server goes with its file, and a server that dies mid-read is an error, not
/// the end of qlx.
final class HDF5ServerTests: XCTestCase {
    var cacheRoot = ""

    override func setUp() { cacheRoot = NSTemporaryDirectory() + "qlx-hdf5-server-tests-\(getpid())-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: cacheRoot) }

    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/datasets/\(name)").path
    }

    static func open(_ name: String, cacheRoot: String) throws -> FileDataset {
        try DatasetFile.open(path: path(name), cache: DatasetCache(root: cacheRoot))
    }

    /// This process's children, zombies included (from /proc: each process's parent id).
    static func children() throws -> Set<Int32> {
        var found = Set<Int32>()
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let end = stat.lastIndex(of: ")") else { continue }
            // After "pid (name) state ": the parent's id.
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == getpid() { found.insert(pid) }
        }
        return found
    }

    static func openDescriptors() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count }

    func testFilesOpenSideBySideAndEachServerGoesWithItsFile() throws {
        let descriptorsBefore = try Self.openDescriptors(), childrenBefore = try Self.children()
        let finished = DispatchSemaphore(value: 0), root = cacheRoot
        nonisolated(unsafe) var outcome: Result<(descriptors: [Int], rows: Int), Error>?
        // In a thread of its own, so that a drop waiting for a server fails the test instead of
        // hanging it.
        Thread {
            outcome = Result {
                var first: FileDataset? = try Self.open("shapes3d_filters.h5", cacheRoot: root)
                let second = try Self.open("shapes3d_small.h5", cacheRoot: root)
                let servers = try Self.children().subtracting(childrenBefore)
                // Each server has standard input, output and error, its own socket and the file
                // libhdf5 opened, no other: holding another server's socket (inherited from qlx),
                // that one would not see qlx go when qlx is killed.
                let descriptors = try servers.map { try FileManager.default.contentsOfDirectory(atPath: "/proc/\($0)/fd").count }
                _ = try first!.images(at: [0, 1])
                first = nil
                return (descriptors, try second.images(at: [0]).shape[0])
            }
            finished.signal()
        }.start()
        XCTAssertEqual(finished.wait(timeout: .now() + 60), .success, "closing an HDF5 file waited for its metadata server")
        let (descriptors, rows) = try XCTUnwrap(outcome).get()
        XCTAssertEqual(descriptors, [5, 5], "one server per open file, each with five descriptors")
        XCTAssertEqual(rows, 1)
        XCTAssertEqual(try Self.children(), childrenBefore, "every server was waited for")
        XCTAssertEqual(try Self.openDescriptors(), descriptorsBefore, "no socket or map left open")
    }

    func testAServerThatDiesMidReadIsAnErrorAndQLXLivesOn() throws {
        let childrenBefore = try Self.children()
        let dataset = try Self.open("shapes3d_filters.h5", cacheRoot: cacheRoot)   // chunked: every new image asks where its chunk is
        let server = try XCTUnwrap(try Self.children().subtracting(childrenBefore).first)
        XCTAssertEqual(kill(server, SIGSEGV), 0)
        let fixture = Self.path("shapes3d_filters.h5")
        let expected = "\(fixture): expected an HDF5 file libhdf5 can read, found a file that stops libhdf5 with signal 11 (corrupt or crafted?)"
        XCTAssertThrowsError(try dataset.images(at: Array(0..<dataset.count))) { XCTAssertEqual("\($0)", expected) }
        XCTAssertThrowsError(try dataset.images(at: Array(0..<dataset.count))) { XCTAssertEqual("\($0)", expected, "the same error on every later read") }
        XCTAssertEqual(try Self.children(), childrenBefore, "the dead server was waited for")
    }
}

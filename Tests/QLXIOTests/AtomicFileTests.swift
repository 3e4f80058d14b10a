import Foundation
import QLXIO
import QLXTestSupport
import XCTest

final class AtomicFileTests: XCTestCase {
    func testRefusesDeviceNodesAndFoldersAndWritesNothing() throws {
        for target in ["/dev/null", "/dev/full"] {
            XCTAssertThrowsError(try AtomicFile.write([1, 2, 3], to: target)) { error in
                XCTAssertEqual("\(error)", "\(target): cannot write: exists and is a character device, not a regular file; qlx replaces only regular files")
            }
            var info = stat()
            XCTAssertEqual(stat(target, &info), 0)
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR, "\(target) was replaced")
        }
        let folder = try makeScratchDirectory("atomic-folder")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sub = folder.appendingPathComponent("sub").path
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        XCTAssertThrowsError(try AtomicFile.write([1], to: sub)) { error in
            XCTAssertTrue("\(error)".hasSuffix("exists and is a folder, not a regular file; qlx replaces only regular files"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["sub"])
    }

    func testRefusesAFileOfAnotherKind() throws {
        let folder = try makeScratchDirectory("atomic-kind")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.safetensors").path
        try Data("checkpoint".utf8).write(to: URL(fileURLWithPath: path))
        let npy = AtomicFile.Kind(name: "an .npy file", hint: "pass --force to replace it", prefixLength: 6) { $0 == [0x93] + Array("NUMPY".utf8) }
        XCTAssertThrowsError(try AtomicFile.write([0x93] + Array("NUMPY".utf8), to: path, replacing: npy)) { error in
            XCTAssertEqual("\(error)", "\(path): cannot write: exists and is not an .npy file; pass --force to replace it")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "checkpoint")
        try AtomicFile.write([0x93] + Array("NUMPY".utf8), to: path)
        try AtomicFile.write([0x93] + Array("NUMPY".utf8) + [1], to: path, replacing: npy)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, 7)
    }

    func testRemovesItsTemporaryFileWhenTheWriteFails() throws {
        let folder = try makeScratchDirectory("atomic-fail")
        defer { try? FileManager.default.removeItem(at: folder) }
        struct Stop: Error {}
        let path = folder.appendingPathComponent("out.npy").path
        XCTAssertThrowsError(try AtomicFile.write(to: path) { handle in
            try handle.write(contentsOf: Data([1, 2, 3]))
            throw Stop()
        })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    func testRemovesStaleTemporaryFilesOfProcessesThatAreGone() throws {
        let folder = try makeScratchDirectory("atomic-stale")
        defer { try? FileManager.default.removeItem(at: folder) }
        let gone = try exitedProcessID()
        let stale = ".out.npy.tmp-\(gone)-12345"
        let live = ".out.npy.tmp-\(getpid())-999"
        let other = ".other.npy.tmp-\(gone)-1"
        for name in [stale, live, other] { try Data().write(to: folder.appendingPathComponent(name)) }
        try AtomicFile.write([1], to: folder.appendingPathComponent("out.npy").path)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)), [live, other, "out.npy"])
    }

    func testCheckTargetRefusesEmptyPathsAndMissingFolders() {
        XCTAssertThrowsError(try AtomicFile.checkTarget("")) { XCTAssertEqual("\($0)", "'': cannot write: the output path is empty") }
        XCTAssertThrowsError(try AtomicFile.checkTarget("/no/such/folder/x.npy")) {
            XCTAssertEqual("\($0)", "/no/such/folder/x.npy: cannot write: the folder /no/such/folder does not exist")
        }
    }

    func testASecondLockOnTheSameOutputIsRefused() throws {
        let folder = try makeScratchDirectory("atomic-lock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("qlae.safetensors").path
        var first: OutputLock? = try OutputLock(for: output)
        XCTAssertThrowsError(try OutputLock(for: output)) { error in
            XCTAssertEqual("\(error)", "\(output): cannot write: process \(getpid()) is writing it (lock \(output).lock); wait for it to finish or choose another -o")
        }
        _ = first
        first = nil
        XCTAssertNoThrow(try OutputLock(for: output))
    }
}

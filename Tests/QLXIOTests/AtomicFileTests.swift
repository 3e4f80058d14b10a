import Foundation
import QLXIO
import QLXTestSupport
import XCTest

final class AtomicFileTests: XCTestCase {
    func testRefusesDeviceNodesAndFoldersAndWritesNothing() throws {
        for target in ["/dev/null", "/dev/full"] {
            XCTAssertThrowsError(try AtomicFile.write([1, 2, 3], to: target, replacing: nil)) { error in
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
        XCTAssertThrowsError(try AtomicFile.write([1], to: sub, replacing: nil)) { error in
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
        try AtomicFile.write([0x93] + Array("NUMPY".utf8), to: path, replacing: nil)
        try AtomicFile.write([0x93] + Array("NUMPY".utf8) + [1], to: path, replacing: npy)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, 7)
    }

    func testAnEmptyFileOfAnyNameMayBeReplaced() throws {
        let folder = try makeScratchDirectory("atomic-empty")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.npy").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let npy = AtomicFile.Kind(name: "an .npy file", prefixLength: 6) { $0 == [0x93] + Array("NUMPY".utf8) }
        try AtomicFile.write([0x93] + Array("NUMPY".utf8), to: path, replacing: npy)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, 6)
    }

    /// A settings file linked from a dotfiles folder: the link stays, its target is replaced
    /// (atomically: a new file renamed over it). Without `throughLinks` the link itself is
    /// replaced and its target left alone.
    func testWritingThroughLinksReplacesTheFileALinkChainEndsAt() throws {
        let folder = try makeScratchDirectory("atomic-through")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dotfiles = folder.appendingPathComponent("dotfiles").path, config = folder.appendingPathComponent("config").path
        try FileManager.default.createDirectory(atPath: dotfiles, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: false)
        let target = dotfiles + "/qlx.toml"
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        XCTAssertEqual(symlink("../dotfiles/qlx.toml", config + "/middle.toml"), 0)
        XCTAssertEqual(symlink("middle.toml", config + "/config.toml"), 0)
        try AtomicFile.write(Array("new".utf8), to: config + "/config.toml", replacing: nil, throughLinks: true)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: config + "/config.toml"), "middle.toml")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: config + "/middle.toml"), "../dotfiles/qlx.toml")
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "new")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dotfiles)), ["qlx.toml"])

        // A dangling link: the file it names is created.
        unlink(target)
        try AtomicFile.write(Array("created".utf8), to: config + "/config.toml", replacing: nil, throughLinks: true)
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "created")

        try AtomicFile.write(Array("plain".utf8), to: config + "/config.toml", replacing: nil)
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: config + "/config.toml"))
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "created")
    }

    func testOutputsAreTheSameFileWhateverTheirSpelling() throws {
        let folder = try makeScratchDirectory("atomic-key")
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertEqual(AtomicFile.targetKey(of: folder.path + "/s.npy"), AtomicFile.targetKey(of: folder.path + "/./s.npy"))
        XCTAssertNotEqual(AtomicFile.targetKey(of: folder.path + "/s.npy"), AtomicFile.targetKey(of: folder.path + "/t.npy"))
        XCTAssertEqual(symlink(folder.path, folder.path + "/again"), 0)
        XCTAssertEqual(AtomicFile.targetKey(of: folder.path + "/again/s.npy"), AtomicFile.targetKey(of: folder.path + "/s.npy"))
    }

    func testRemovesItsTemporaryFileWhenTheWriteFails() throws {
        let folder = try makeScratchDirectory("atomic-fail")
        defer { try? FileManager.default.removeItem(at: folder) }
        struct Stop: Error {}
        let path = folder.appendingPathComponent("out.npy").path
        XCTAssertThrowsError(try AtomicFile.write(to: path, replacing: nil) { handle in
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
        try AtomicFile.write([1], to: folder.appendingPathComponent("out.npy").path, replacing: nil)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)), [live, other, "out.npy"])
    }

    func testCheckTargetRefusesEmptyPathsAndMissingFolders() {
        XCTAssertThrowsError(try AtomicFile.checkTarget("", replacing: nil)) { XCTAssertEqual("\($0)", "'': cannot write: the output path is empty") }
        XCTAssertThrowsError(try AtomicFile.checkTarget("/no/such/folder/x.npy", replacing: nil)) {
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

    func testTheLockNeverFollowsALinkNorTouchesWhatIsAtItsPath() throws {
        let folder = try makeScratchDirectory("atomic-lock-link")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.safetensors").path, lock = output + ".lock"
        let victim = folder.appendingPathComponent("victim.txt").path
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: victim))
        let expected = "\(output): cannot write: the lock file \(lock) exists and is a symbolic link, not a regular file; remove it or choose another -o"
        XCTAssertEqual(symlink(victim, lock), 0)
        XCTAssertThrowsError(try OutputLock(for: output)) { XCTAssertEqual("\($0)", expected) }
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "keep me")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: lock), victim, "the link was removed")

        unlink(lock)
        let dangling = folder.appendingPathComponent("created-by-the-lock").path
        XCTAssertEqual(symlink(dangling, lock), 0)
        XCTAssertThrowsError(try OutputLock(for: output)) { XCTAssertEqual("\($0)", expected) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dangling), "a dangling link's target was created")

        unlink(lock)
        XCTAssertEqual(mkfifo(lock, 0o600), 0)
        XCTAssertThrowsError(try OutputLock(for: output)) {
            XCTAssertEqual("\($0)", "\(output): cannot write: the lock file \(lock) exists and is a named pipe, not a regular file; remove it or choose another -o")
        }
        var info = stat()
        XCTAssertEqual(lstat(lock, &info), 0, "the named pipe was removed")
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO)
    }

    func testReleasingALockLeavesAFileThatReplacedItsLockFile() throws {
        let folder = try makeScratchDirectory("atomic-lock-replaced")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.safetensors").path
        var lock: OutputLock? = try OutputLock(for: output)
        unlink(output + ".lock")
        try Data("someone else's".utf8).write(to: URL(fileURLWithPath: output + ".lock"))
        _ = lock
        lock = nil
        XCTAssertEqual(try String(contentsOfFile: output + ".lock", encoding: .utf8), "someone else's")
    }
}

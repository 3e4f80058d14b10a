import Foundation
import QLXExplorer
import QLXTestSupport
import XCTest

/// The terminfo a release bundles (share/qlx/terminfo) stands in for entries the system lacks.
final class BundledTerminfoTests: XCTestCase {
    /// A compiled entry named `name` (xterm-256color's capabilities) in a scratch terminfo
    /// folder, made by tic as scripts/package makes the bundled ones.
    private func makeTerminfo(named name: String) throws -> URL {
        let folder = try makeScratchDirectory("terminfo")
        let source = folder.appendingPathComponent("entry.ti")
        let infocmp = try run("/usr/bin/env", ["infocmp", "-x", "xterm-256color"])
        let renamed = infocmp.replacingOccurrences(of: "xterm-256color|", with: "\(name)|")
        try renamed.write(to: source, atomically: true, encoding: .utf8)
        _ = try run("/usr/bin/env", ["tic", "-x", "-o", folder.appendingPathComponent("db").path, source.path])
        return folder.appendingPathComponent("db")
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(arguments)")
        return String(decoding: data, as: UTF8.self)
    }

    func testContainsFindsCompiledEntriesByTicsLayout() throws {
        let db = try makeTerminfo(named: "qlx-contains-term")
        defer { try? FileManager.default.removeItem(at: db.deletingLastPathComponent()) }
        XCTAssertTrue(BundledTerminfo.contains("qlx-contains-term", in: db.path))
        XCTAssertFalse(BundledTerminfo.contains("qlx-other-term", in: db.path))
        XCTAssertFalse(BundledTerminfo.contains("../db/q/qlx-contains-term", in: db.path), "no paths")
        XCTAssertFalse(BundledTerminfo.contains("", in: db.path))
    }

    func testTheFolderIsShareQlxTerminfoBesideTheExecutablesFolderThroughLinks() throws {
        let prefix = try makeScratchDirectory("prefix")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let fm = FileManager.default
        try fm.createDirectory(at: prefix.appendingPathComponent("bin"), withIntermediateDirectories: true)
        fm.createFile(atPath: prefix.appendingPathComponent("bin/qlx").path, contents: Data())
        let link = prefix.appendingPathComponent("link-to-qlx")
        try fm.createSymbolicLink(at: link, withDestinationURL: prefix.appendingPathComponent("bin/qlx"))
        XCTAssertNil(BundledTerminfo.directory(executable: link), "no share/qlx/terminfo yet")
        try fm.createDirectory(at: prefix.appendingPathComponent("share/qlx/terminfo"), withIntermediateDirectories: true)
        XCTAssertEqual(BundledTerminfo.directory(executable: link).map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path },
                       prefix.appendingPathComponent("share/qlx/terminfo").resolvingSymlinksInPath().path)
    }

    /// A TERM the system has no entry for opens with the bundled entry, and says so; without
    /// the bundle it falls back to a common entry of the system's, silently.
    func testAnEntryMissingFromTheSystemComesFromTheBundle() throws {
        let saved = ProcessInfo.processInfo.environment["TERMINFO_DIRS"]
        defer { if let saved { setenv("TERMINFO_DIRS", saved, 1) } else { unsetenv("TERMINFO_DIRS") } }
        let db = try makeTerminfo(named: "qlx-bundled-term")
        defer { try? FileManager.default.removeItem(at: db.deletingLastPathComponent()) }

        let fallback = try CursesScreen.offscreen(width: 80, height: 24, term: "qlx-bundled-term", bundledTerminfo: nil)
        XCTAssertEqual(fallback.terminalName, "xterm-256color")
        XCTAssertNil(fallback.terminfoNote)
        fallback.close()

        let screen = try CursesScreen.offscreen(width: 80, height: 24, term: "qlx-bundled-term", bundledTerminfo: db.path)
        XCTAssertEqual(screen.terminalName, "qlx-bundled-term")
        XCTAssertEqual(screen.maximumColorDepth, .palette256)
        XCTAssertTrue(screen.terminfoNote?.contains("bundled with qlx") == true, screen.terminfoNote ?? "no note")
        screen.close()

        let system = try CursesScreen.offscreen(width: 80, height: 24, term: "xterm-256color", bundledTerminfo: db.path)
        XCTAssertNil(system.terminfoNote, "the system's own entry needs no note")
        system.close()
    }
}

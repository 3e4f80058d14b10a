import Foundation
import QLXTestSupport
import XCTest

/// What scripts/package relies on in the binary: a copy installed as PREFIX/bin/qlx finds its
/// models in PREFIX/share/qlx, and the release stamp written into its section is what
/// `--version` prints.
final class ReleaseLayoutTests: XCTestCase {
    /// PREFIX/bin/qlx, a copy of the built binary, in a scratch folder outside the repository.
    private func installCopy() throws -> URL {
        let prefix = try makeScratchDirectory("release-prefix")
        let bin = prefix.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: QLXBinary.path, toPath: bin.appendingPathComponent("qlx").path)
        return prefix
    }

    private func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                     directory: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    func testTheBundledModelIsFoundInShareQlxBesideBin() throws {
        let prefix = try installCopy()
        defer { try? FileManager.default.removeItem(at: prefix) }
        let qlx = prefix.appendingPathComponent("bin/qlx").path
        let elsewhere = try makeScratchDirectory("elsewhere")
        defer { try? FileManager.default.removeItem(at: elsewhere) }

        let missing = try run(qlx, ["info"], environment: ["QLX_MODEL": ""], directory: elsewhere)
        XCTAssertEqual(missing.status, 1, "no models anywhere yet")
        XCTAssertTrue(missing.stderr.contains("share/qlx"), missing.stderr)

        let share = prefix.appendingPathComponent("share/qlx")
        try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: QLXBinary.repositoryRoot.appendingPathComponent("assets/sprites-qlae.safetensors"),
                                         to: share.appendingPathComponent("sprites-qlae.safetensors"))
        let found = try run(qlx, ["info"], environment: ["QLX_MODEL": ""], directory: elsewhere)
        XCTAssertEqual(found.status, 0, found.stderr)
        XCTAssertTrue(found.stdout.contains("share/qlx/sprites-qlae.safetensors"), found.stdout)
    }

    func testTheReleaseStampIsWhatVersionPrints() throws {
        let prefix = try installCopy()
        defer { try? FileManager.default.removeItem(at: prefix) }
        let qlx = prefix.appendingPathComponent("bin/qlx").path
        let stampText = "commit 0123456789ab, release build"
        var stamp = Data(stampText.utf8)
        stamp.append(Data(count: 128 - stamp.count))   // QLX_BUILD_STAMP_SIZE
        let stampFile = prefix.appendingPathComponent("stamp")
        try stamp.write(to: stampFile)
        let objcopy = try run("/usr/bin/env", ["objcopy", "--update-section", ".qlx_build_stamp=\(stampFile.path)", qlx])
        XCTAssertEqual(objcopy.status, 0, objcopy.stderr)

        let version = try run(qlx, ["--version"])
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertNotNil(version.stdout.range(of: #"^qlx [0-9]+\.[0-9]+\.[0-9]+ \(commit 0123456789ab, release build\)\n$"#,
                                             options: .regularExpression), version.stdout)
    }
}

import Foundation
import QLXModel
import QLXTestSupport
import XCTest

/// What hostile and careless use found, end to end: standard output that cannot be written,
/// named pipes as inputs, a process address-space limit, samples beyond the dataset, values
/// with newlines and escapes. Each ends in one clean line (or a warning and success), never a
/// trap, a hang or an exit status of 0 with nothing written.
final class HostileUseTests: XCTestCase {
    var directory: URL!
    var checkpointPath: String { file("tiny.safetensors") }
    let fixtures = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXDataTests/Fixtures/datasets")

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("hostile")
        try Checkpoint(model: QLAE(config: TraverseCommandTests.config, seed: 3)).write(to: checkpointPath)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs `qlx ARGUMENTS` through /bin/sh with `redirections` (e.g. `> /dev/full`) and a
    /// 60-second limit: stdout as the shell leaves it, stderr captured.
    func runInShell(_ arguments: [String], redirections: String, prefix: String = "") throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(prefix) exec timeout -s KILL 60 \"$0\" \"$@\" \(redirections)", QLXBinary.path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1", "XDG_CACHE_HOME": file("cache")]) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `qlx traverse > /dev/full` trapped in a `try!` with a 60-line backtrace, and
    /// `qlx info > /dev/full` exited 0 having written nothing; a closed stdout likewise.
    func testEveryCommandReportsAFailedWriteToStandardOutput() throws {
        let commands = [["traverse", checkpointPath], ["info", checkpointPath], ["info", checkpointPath, "--json"],
                        ["metrics", checkpointPath, "--samples", "20"],
                        ["encode", checkpointPath, "--samples", "4", "-o", file("codes.npy")]]
        for arguments in commands {
            for (redirection, reason) in [("> /dev/full", "No space left on device"), (">&-", "Bad file descriptor")] {
                let run = try runInShell(arguments, redirections: redirection)
                XCTAssertEqual(run.status, 1, "\(arguments) \(redirection): \(run.stderr)")
                XCTAssertEqual(run.stderr, "qlx: standard output: cannot write: \(reason)\n", "\(arguments) \(redirection)")
            }
        }
        // A closed stdout is not taken by the next file opened: the export holds only its array.
        XCTAssertEqual(try TestNpy.read(file("codes.npy")).shape, [4, TraverseCommandTests.config.latent.count])
    }

    /// A named pipe with no writer as --data, --data-classes or a config blocked qlx in open()
    /// forever; like a folder or a device, it is refused at once, named for what it is.
    func testNamedPipesFoldersAndDevicesAsInputsAreRefusedAtOnce() throws {
        let fifo = file("fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let npy = fixtures.appendingPathComponent("generic_small.npz").path
        try assertOneLineError(["metrics", checkpointPath, "--data", fifo], "qlx: \(fifo): cannot read: is a named pipe, not a regular file")
        try assertOneLineError(["metrics", "--sources", fifo, "--latents", npy],
                               "qlx: \(fifo): cannot read .npy file: is a named pipe, not a regular file")
        try assertOneLineError(["metrics", "--sources", directory.path, "--latents", npy],
                               "qlx: \(directory.path): cannot read .npy file: is a folder, not a regular file")
        try assertOneLineError(["metrics", "--sources", "/dev/zero", "--latents", npy],
                               "qlx: /dev/zero: cannot read .npy file: is a character device, not a regular file")
        let run = file("run")
        try FileManager.default.createDirectory(atPath: run + "/checkpoint/step=1", withIntermediateDirectories: true)
        try Data([0]).write(to: URL(fileURLWithPath: run + "/checkpoint/step=1/model.eqx"))
        try assertOneLineError(["info", run, "--config", fifo], "qlx: \(fifo): cannot read the config: is a named pipe, not a regular file")
        try assertOneLineError(["info", run, "--config", directory.path],
                               "qlx: \(directory.path): cannot read the config: is a folder, not a regular file")
    }

    /// Under a 4 GB address-space limit, `decode --batch 5000` aborted: sizes are bounded by
    /// the process's limit as well as by the machine's memory, and decode writes batch by batch.
    func testDecodeBatchesAreBoundedByTheProcessAddressSpaceLimit() throws {
        let latent = TraverseCommandTests.config.latent
        let codes = (0..<300).map { row in (0..<latent.count).map { Double(($0 + row) % latent.valuesPerLatent) } }
        try TestNpy.write(int64: codes, to: file("codes.npy"))
        let limited = "ulimit -v 4000000;"
        let refused = try runInShell(["decode", checkpointPath, "--codes", file("codes.npy"), "-o", file("images.npy"), "--batch", "100000000"],
                                     redirections: "", prefix: limited)
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.hasPrefix("qlx: --batch: expected at most "), refused.stderr)
        XCTAssertTrue(refused.stderr.hasSuffix("fit in 2.0 GB, half of this process's address space limit (ulimit)), found 100000000\n"), refused.stderr)
        let decoded = try runInShell(["decode", checkpointPath, "--codes", file("codes.npy"), "-o", file("images.npy"), "--batch", "64"],
                                     redirections: "", prefix: limited)
        XCTAssertEqual(decoded.status, 0, decoded.stderr)
        let image = TraverseCommandTests.config.image
        XCTAssertEqual(try TestNpy.read(file("images.npy")).shape, [300, image.channels, image.height, image.width])
    }

    /// `model.eqx` was read whole before any check: under a 4 GB address-space limit a 3 GB
    /// sparse file aborted. Records are read one at a time, so it is refused at its first bytes.
    func testAHugeModelFileIsRefusedFromItsFirstBytesUnderAnAddressSpaceLimit() throws {
        let run = file("huge")
        try FileManager.default.createDirectory(atPath: run + "/checkpoint/step=1", withIntermediateDirectories: true)
        let config = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXReferenceTests/Fixtures/reference/qlae_dense_dense/run/files/config.yaml").path
        try FileManager.default.copyItem(atPath: config, toPath: run + "/config.yaml")
        let model = run + "/checkpoint/step=1/model.eqx"
        XCTAssertTrue(FileManager.default.createFile(atPath: model, contents: Data([0])))
        XCTAssertEqual(truncate(model, 3 << 30), 0)
        let refused = try runInShell(["info", run], redirections: "", prefix: "ulimit -v 4000000;")
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertEqual(refused.stderr, "qlx: \(model): not a readable .eqx file: record 0 at byte 0: not a valid .npy file: missing the \\x93NUMPY magic string\n")
    }

    /// Escape sequences in a checkpoint's dataset name, factor names and metadata keys reached
    /// the terminal raw from `qlx info` and from traverse's missing-dataset warning.
    func testEscapeSequencesFromACheckpointNeverReachTheTerminal() throws {
        var config = TraverseCommandTests.config
        config.dataset.name = "shapes\u{1B}[2J"
        config.dataset.factorNames = config.dataset.factorNames.map { $0 + "\u{1B}]0;title\u{07}" }
        let hostile = file("hostile.safetensors")
        try Checkpoint(model: QLAE(config: config, seed: 3), metadata: ["note\u{1B}[31m": "x"]).write(to: hostile)
        for arguments in [["info", hostile], ["traverse", hostile]] {
            let run = try QLXBinary.run(arguments, environment: ["NO_COLOR": "1"])
            XCTAssertEqual(run.status, 0, "\(arguments): \(run.stderr)")
            XCTAssertFalse(run.stdout.contains("\u{1B}") || run.stderr.contains("\u{1B}"), "\(arguments): \(run.stdout)\(run.stderr)")
            XCTAssertFalse(run.stdout.contains("\u{07}"), "\(arguments): \(run.stdout)")
        }
        let info = try QLXBinary.run(["info", hostile], environment: ["NO_COLOR": "1"])
        XCTAssertTrue(info.stdout.contains("shapes\\x1b[2J: "), info.stdout)
        XCTAssertTrue(info.stdout.contains("\\x1b]0;title\\x07"), info.stdout)
        XCTAssertTrue(info.stdout.contains("note\\x1b[31m"), info.stdout)
        let traverse = try QLXBinary.run(["traverse", hostile], environment: ["NO_COLOR": "1"])
        XCTAssertTrue(traverse.stderr.contains(" was trained on 'shapes\\x1b[2J', which "), traverse.stderr)
    }

    /// An output path with a newline cut the error message at the newline.
    func testAnOutputPathWithANewlineIsShownEscapedOnOneLine() throws {
        let target = file("no-such-folder") + "/a\nb.npy"
        try assertOneLineError(["encode", checkpointPath, "--samples", "4", "-o", target],
                               "qlx: \(file("no-such-folder"))/a\\nb.npy: cannot write .npy file: the folder \(file("no-such-folder")) does not exist")
    }
}

import Foundation
import QLXCore
import QLXModel
import QLXTestSupport
import XCTest

/// `qlx train` end to end: Ctrl-C leaves a checkpoint that resumes to exactly the model an
/// uninterrupted run gives, and bad flags are refused in one line.
final class TrainCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("train")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A tiny architecture on the real sprites, no evaluation or metrics: steps take milliseconds.
    let tinyRun = ["train", "--encoder-widths", "4,8,8,8", "--dense-widths", "16", "--latents", "3", "--batch", "8",
                   "--seed", "5", "--eval-every", "0", "--checkpoint-every", "0", "--eval-samples", "20",
                   "--metrics-samples", "0"]

    /// Collects a child's stderr as it arrives.
    final class StreamBuffer: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ chunk: Data) { lock.lock(); data.append(chunk); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }

    /// `tinyRun` with more steps than a test waits for, in the background, its stderr collected
    /// as it arrives; returns once it has printed its first step (or 60 s have passed, the
    /// deadline it also returns for the rest of the test).
    func startLongRun(output: String, steps: String = "100000", extra: [String] = []) throws -> (process: Process, errors: Pipe, stderr: StreamBuffer, deadline: Date) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: QLXBinary.path)
        process.arguments = tinyRun + ["--steps", steps, "-o", output] + extra
        let errors = Pipe(), stderr = StreamBuffer()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        errors.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !stderr.text.contains("step 1/") && process.isRunning && Date() < deadline { usleep(5_000) }
        return (process, errors, stderr, deadline)
    }

    func testSigintSavesALoadableCheckpointAndResumingMatchesAnUninterruptedRun() throws {
        let interrupted = file("interrupted.safetensors")
        let (process, errors, stderr, deadline) = try startLongRun(output: interrupted)
        XCTAssertTrue(stderr.text.contains("step 1/"), "no progress output: \(stderr.text)")
        process.interrupt()   // SIGINT, as Ctrl-C
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil

        XCTAssertEqual(process.terminationReason, .exit, "killed instead of saving: \(stderr.text)")
        XCTAssertEqual(process.terminationStatus, 130, stderr.text)
        XCTAssertTrue(stderr.text.contains("resume with: qlx train --resume \(interrupted)"), stderr.text)
        let saved = try Checkpoint.read(from: interrupted)
        let stepsDone = try XCTUnwrap(saved.config.training?.stepsDone)
        XCTAssertGreaterThanOrEqual(stepsDone, 1)
        XCTAssertNotNil(saved.metadata["qlx.training_state"])
        XCTAssertNotNil(saved.tensors["optimizer.m.encoder.conv.0.weight"])

        // Resume two steps past the interruption, into a new file.
        let total = stepsDone + 2
        let resumedPath = file("resumed.safetensors")
        let resume = try QLXBinary.run(["train", "--resume", interrupted, "--steps", "\(total)", "-o", resumedPath,
                                        "--metrics-samples", "0"], timeout: 120)
        XCTAssertEqual(resume.status, 0, resume.stderr)
        XCTAssertTrue(resume.stdout.contains("wrote \(resumedPath) after \(total) steps"), resume.stdout)

        let straightPath = file("straight.safetensors")
        let straight = try QLXBinary.run(tinyRun + ["--steps", "\(total)", "-o", straightPath], timeout: 120)
        XCTAssertEqual(straight.status, 0, straight.stderr)

        let resumed = try Checkpoint.read(from: resumedPath), uninterrupted = try Checkpoint.read(from: straightPath)
        XCTAssertEqual(resumed.config.training?.stepsDone, total)
        XCTAssertEqual(Set(resumed.tensors.keys), Set(uninterrupted.tensors.keys))
        for (name, tensor) in uninterrupted.tensors {
            XCTAssertEqual(resumed.tensors[name], tensor, "tensor \(name) differs after resume")
        }
    }

    /// Two runs on one output both went on (the last save won), and --steps 10^18
    /// showed "step 1/-1486618624".
    func testASecondRunOnTheSameOutputIsRefusedWhileTheFirstRuns() throws {
        let path = file("locked.safetensors")
        let (process, errors, stderr, _) = try startLongRun(output: path, steps: "1000000000000000000")
        XCTAssertTrue(stderr.text.contains("step 1/1000000000000000000 "), stderr.text)
        let second = try QLXBinary.run(tinyRun + ["--steps", "2", "-o", path], timeout: 60)
        XCTAssertEqual(second.status, 1)
        XCTAssertEqual(second.stderr, "qlx: \(path): cannot write: process \(process.processIdentifier) is writing it (lock \(path).lock); wait for it to finish or choose another -o\n")
        process.terminate()
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        XCTAssertEqual(process.terminationStatus, 143, stderr.text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".lock"), "the lock file is left behind")
        let third = try QLXBinary.run(tinyRun + ["--steps", "2", "-o", path], timeout: 120)
        XCTAssertEqual(third.status, 0, third.stderr)
    }

    func testSigtermAlsoSavesAndExits143() throws {
        let path = file("term.safetensors")
        let (process, errors, stderr, _) = try startLongRun(output: path)
        process.terminate()   // SIGTERM
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        XCTAssertEqual(process.terminationStatus, 143, stderr.text)
        XCTAssertNoThrow(try Checkpoint.read(from: path))
    }

    /// A closed terminal (SIGHUP) and Ctrl-\ (SIGQUIT) save like Ctrl-C: before, a hang-up
    /// ended the run with no checkpoint and a stale lock, and SIGQUIT printed a crash report
    /// while training went on.
    func testHangUpAndQuitSaveAndRemoveTheLock() throws {
        for (signal, status) in [(SIGHUP, Int32(129)), (SIGQUIT, Int32(131))] {
            let path = file("signal\(signal).safetensors")
            let (process, errors, stderr, deadline) = try startLongRun(output: path)
            XCTAssertTrue(stderr.text.contains("step 1/"), "no progress output: \(stderr.text)")
            kill(process.processIdentifier, signal)
            while process.isRunning && Date() < deadline { usleep(5_000) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            errors.fileHandleForReading.readabilityHandler = nil
            XCTAssertEqual(process.terminationReason, .exit, "ended by signal \(signal) without saving: \(stderr.text)")
            XCTAssertEqual(process.terminationStatus, status, stderr.text)
            XCTAssertTrue(stderr.text.contains("stopped by signal \(signal) after step "), stderr.text)
            XCTAssertFalse(stderr.text.contains("Crash") || stderr.text.contains("Backtrace"), stderr.text)
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(try Checkpoint.read(from: path).config.training?.stepsDone), 1)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".lock"), "the lock file is left behind")
        }
    }

    /// `np.save` over the training data truncates it first: the mapped pages vanished and the
    /// run died of SIGBUS with no checkpoint and a stale lock. Now the run saves the state it
    /// reached and stops with one line naming the file.
    func testADataFileCutShortMidRunSavesAndStopsWithOneLine() throws {
        let count = 2000, pixels = 64 * 64
        let images = file("images.npy"), classes = file("classes.npy")
        var bytes = TestNpy.header(descr: "|u1", shape: [count, 64, 64])
        let header = bytes.count
        bytes += (0..<(count * pixels)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        try Data(bytes).write(to: URL(fileURLWithPath: images))
        try TestNpy.write(int64: (0..<count).map { [Double($0 % 3), Double($0 % 5)] }, to: classes)
        let path = file("cut.safetensors")
        let (process, errors, stderr, deadline) = try startLongRun(output: path, extra: ["--data", images, "--data-classes", classes])
        XCTAssertTrue(stderr.text.contains("step 1/"), "no progress output: \(stderr.text)")
        XCTAssertEqual(truncate(images, off_t(header)), 0)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        XCTAssertEqual(process.terminationReason, .exit, "killed: \(stderr.text)")
        XCTAssertEqual(process.terminationStatus, 1, stderr.text)
        let last = stderr.text.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.hasPrefix("qlx: \(images): changed while qlx was reading it (its size went from \(bytes.count) to \(header) bytes"), last)
        XCTAssertTrue(last.contains("; saved \(path) after step "), last)
        XCTAssertTrue(last.hasSuffix("; once the file is whole again, resume with: qlx train --resume \(path)"), last)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(try Checkpoint.read(from: path).config.training?.stepsDone), 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".lock"), "the lock file is left behind")
    }

    func testBadFlagsGiveOneLineErrors() throws {
        let missing = file("missing.safetensors")
        let plain = file("plain.safetensors")
        try Checkpoint(model: QLAE(config: try Checkpoint.read(from: trainTiny()).config, seed: 1)).write(to: plain)
        let cases: [([String], String)] = [
            (["--encoder-widths", "32,x"], "--encoder-widths: expected comma-separated positive integers such as 32,64,64,128, found '32,x'"),
            (["--encoder", "huge"], "--encoder: expected one of image, image_small, dense, found 'huge'"),
            (["--encoder", "image_small", "--encoder-widths", "8"], "--encoder-widths cannot be combined with --encoder"),
            (["--dataset", "shapes9d"], "unknown dataset 'shapes9d'; expected one of sprites"),
            (["--steps", "0"], "--steps: expected a positive integer, found 0"),
            (["--values", "1"], "--values: expected an integer ≥ 2, found 1"),
            (["--steps", "-3"], "--steps: expected a positive integer, found -3"),
            (["--lr=-1"], "--lr: expected a finite number > 0, found -1.0"),
            (["--lr-drop", "9000"], "--lr-drop: expected STEP:RATE, e.g. 9000:3e-4, found '9000'"),
            (["--steps", "10", "--lr-drop", "5:1e-4,3:1e-5"], "--lr-drop: expected steps in increasing order, each after 5 and before the last step 10, found 3:1e-05"),
            (["--steps", "10", "--lr-drop", "2:0"], "--lr-drop: expected a rate that is a finite number > 0, found 2:0.0"),
            (["--decoder-kind", "fancy"], "--decoder-kind: expected image, style_image or dense, found 'fancy'"),
            (["--encoder-widths", "4,8,8", "--decoder-widths", "8,8,4,4"], "decoder produces 128×128 images but the image is 64×64"),
            (["-o", file("no/such/folder/model.safetensors")], "--output: expected a path in an existing, writable folder"),
            (["--resume", missing], "\(missing): no such file"),
            (["--resume", plain], "\(plain): no training state (metadata qlx.training_state)"),
            (["--resume", plain, "--batch", "8"], "--batch cannot be combined with --resume"),
        ]
        for (flags, expected) in cases {
            let steps = flags.contains("--steps") ? [] : ["--steps", "1"]
            let output = flags.contains("-o") ? [] : ["-o", file("out.safetensors")]
            let run = try QLXBinary.run(["train"] + flags + steps + output, timeout: 60)
            XCTAssertNotEqual(run.status, 0, "\(flags)")
            let lines = run.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(flags): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(expected), "\(flags): \(run.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: file("out.safetensors")), "\(flags)")
        }
    }

    /// A 2-step run, for a checkpoint with a valid tiny config.
    func trainTiny() throws -> String {
        let path = file("tiny.safetensors")
        let run = try QLXBinary.run(tinyRun + ["--steps", "2", "-o", path], timeout: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        return path
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif
import QLXModel
import QLXModelTestSupport
import QLXTestSupport
import XCTest

/// `qlx explore` end to end: the real binary in a real (tmux) terminal, driven by keys and
/// read back from the screen. Polls the screen instead of sleeping.
final class ExploreTmuxTests: XCTestCase {
    var directory: URL!
    var checkpoint: String!
    var server: String!
    var tmuxPath: String!

    override func setUpWithError() throws {
        let found = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let found else { throw XCTSkip("tmux is not installed (apt-get install tmux); skipping the terminal tests") }
        tmuxPath = found
        server = "qlxtest-\(getpid())-\(UUID().uuidString.prefix(8))"
        directory = try makeScratchDirectory("explore")
        let bundled = QLXBinary.repositoryRoot.appendingPathComponent("assets/sprites-qlae.safetensors").path
        if FileManager.default.fileExists(atPath: bundled) {
            checkpoint = bundled
        } else {
            checkpoint = directory.appendingPathComponent("random.safetensors").path
            try Checkpoint(model: QLAE(config: ExploreTestModel.config, seed: 11)).write(to: checkpoint)
        }
    }

    override func tearDownWithError() throws {
        if server != nil && tmuxPath != nil { _ = try? tmux(["kill-server"], output: false) }
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    // MARK: - Driving tmux

    /// Runs a tmux command on this test's own server and returns its output. posix_spawn and
    /// waitpid rather than Foundation's Process: the command that starts the server forks a
    /// daemon, and the child's standard streams go to /dev/null (or a pipe only we hold) so
    /// nothing waits on the daemon.
    @discardableResult
    func tmux(_ arguments: [String], output: Bool = true) throws -> String {
        var pipe: [Int32] = [-1, -1]
        if output { guard Glibc.pipe(&pipe) == 0 else { throw POSIXError(.EIO) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if output {
            posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
            posix_spawn_file_actions_addclose(&actions, pipe[0])
            posix_spawn_file_actions_addclose(&actions, pipe[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([tmuxPath!, "-L", server!, "-f", "/dev/null"] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, tmuxPath, &actions, nil, argv, envp)
        if output { close(pipe[1]) }
        guard status == 0 else {
            if output { close(pipe[0]) }
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO)
        }
        var data = [UInt8]()
        if output {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(pipe[0], &buffer, buffer.count)
                if n <= 0 { break }
                data += buffer[0..<n]
            }
            close(pipe[0])
        }
        var exitStatus: Int32 = 0
        waitpid(pid, &exitStatus, 0)
        return String(decoding: data, as: UTF8.self)
    }

    /// Starts `qlx explore CHECKPOINT ARGS` in a new tmux session; afterwards the shell prints
    /// "EXITED <status>" on the normal screen.
    func start(width: Int = 100, height: Int = 30, environment: String = "-u NO_COLOR -u COLORTERM TERM=xterm-256color LANG=C.UTF-8",
               metricSamples: Int = 200, arguments: String = "") throws {
        let command = "\(QLXBinary.path) explore '\(checkpoint!)' --metric-samples \(metricSamples) \(arguments)"
        // The settings file lives in the test's folder (never the user's), unless a test says otherwise.
        try tmux(["new-session", "-d", "-x", "\(width)", "-y", "\(height)",
                  "env \(environment) XDG_CONFIG_HOME='\(directory.path)/config' bash -c \"\(command); echo EXITED \\$?; sleep 60\""],
                 output: false)
    }

    func screen(colors: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p"] + (colors ? ["-e"] : []))
    }

    /// Polls the screen until `condition` holds; fails with the last screen after `timeout`.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 20, colors: Bool = false,
                 file: StaticString = #filePath, line: UInt = #line, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen(colors: colors)
            if condition(last) { return last }
            usleep(30_000)
        }
        XCTFail("timed out waiting for \(what); screen:\n\(last)", file: file, line: line)
        return last
    }

    func keys(_ names: String...) throws { try tmux(["send-keys"] + names) }

    /// The current code from the title line ("… code 3141592653").
    func code(_ screen: String) -> String? {
        guard let title = screen.split(separator: "\n").first, let range = title.range(of: "code ") else { return nil }
        return String(title[range.upperBound...].prefix { $0.isNumber })
    }

    // MARK: - Tests

    func testOpensAReferenceRunWithMetricsAndSampleBrowsing() throws {
        let fixtures = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXReferenceTests/Fixtures/reference").path
        checkpoint = fixtures + "/qlae_image_small_style_image_small/run/files"
        try start()
        try waitFor("the explorer with live metrics") { $0.contains("6 latents × 10 values") && $0.contains("metrics · computed, 200 samples") }
        try keys("n")
        try waitFor("a dataset sample") { $0.contains("sample ") && $0.contains("shape=") }
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    func testAJobFolderIsTitledByTheRunOpenedInside() throws {
        let fixtures = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXReferenceTests/Fixtures/reference").path
        checkpoint = fixtures + "/qlae_image_small_style_image_small/job"
        try start()
        let screen = try waitFor("the explorer on the job's run") { $0.contains("6 latents × 10 values") }
        XCTAssertTrue(screen.contains("qlx │ run-x │"), screen)
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    func testShowsAQLAEBesideItsAEBaselineWithBothMetrics() throws {
        let fixtures = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXReferenceTests/Fixtures/reference").path
        checkpoint = fixtures + "/qlae_image_small_image_small/run' '\(fixtures)/ae_image_small_image_small/run"
        try start()
        let screen = try waitFor("both models' metrics", timeout: 90) {
            $0.contains("qlx │ run │ run │ sprites") && $0.contains("metrics · computed")
                && $0.range(of: "B InfoM +\\.[0-9]", options: .regularExpression) != nil
        }
        XCTAssertTrue(screen.contains("4 latents × 10 values"), screen)
        let before = self.code(screen)
        try keys("Right")
        try waitFor("the code to change for both") { self.code($0) != before }
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    func testOpensAContinuousBaselineAtQuantiles() throws {
        let fixtures = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXReferenceTests/Fixtures/reference").path
        checkpoint = fixtures + "/vae_image_small_style_image_small/run"
        try start(arguments: "--values 7")
        try waitFor("the explorer on 7 quantiles", timeout: 90) { $0.contains("4 latents × 7 values") && $0.contains("metrics · computed") }
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    func testShowsTheUIRespondsToKeysResizesAndQuitsCleanly() throws {
        let launched = Date()
        try start()
        let first = try waitFor("the explorer") { $0.contains("codebook") && ($0.contains("▄") || $0.contains("▀")) }
        XCTAssertLessThan(Date().timeIntervalSince(launched), 20)
        XCTAssertTrue(first.contains("▸ 0"), "latent 0 selected:\n\(first)")

        // ←/→ change the value, the highlighted thumbnail and the preview.
        try keys("0")
        let atZero = try waitFor("value 0") { self.code($0)?.first == "0" }
        let before = try screen(colors: true)
        try keys("Right")
        // The title and the strip arrive in one update, but a capture can fall between them.
        try waitFor("value 1 and its frame") {
            self.code($0)?.first == "1" && $0.range(of: "└─*1─*┘", options: .regularExpression) != nil
        }
        XCTAssertNil(atZero.range(of: "└─*1─*┘", options: .regularExpression))
        let after = try screen(colors: true)
        XCTAssertNotEqual(previewRows(before), previewRows(after), "the preview changed")

        // ↓ moves the selection.
        try keys("Down")
        try waitFor("latent 1 selected") { $0.contains("▸ 1") && !$0.contains("▸ 0") }

        // ? shows and hides the help.
        try keys("?")
        try waitFor("help") { $0.contains("help (close with ?, Esc or q)") }
        try keys("?")
        try waitFor("help closed") { !$0.contains("help (close with ?, Esc or q)") }

        // Too small, then back.
        try tmux(["resize-window", "-x", "30", "-y", "10"])
        try waitFor("the too-small message") { $0.contains("too small") && $0.contains("30×10") }
        try tmux(["resize-window", "-x", "100", "-y", "30"])
        try waitFor("the UI again") { $0.contains("codebook") && !$0.contains("too small") }

        try keys("q")
        let exited = try waitFor("exit") { $0.contains("EXITED") }
        XCTAssertTrue(exited.contains("EXITED 0"), exited)
        XCTAssertFalse(exited.contains("codebook"), "the alternate screen is gone:\n\(exited)")
    }

    func testTheFooterShowsHelpAndQuitAt80x24() throws {
        try start(width: 80, height: 24)
        // A capture can land mid-paint: wait until the footer row is drawn, then check it is the
        // 24th row (not pushed off the screen) and says how to get help and quit.
        let footerRow = { (screen: String) in
            screen.split(separator: "\n", omittingEmptySubsequences: false).prefix(24).last.map(String.init) ?? ""
        }
        let shown = try waitFor("the explorer's footer") { $0.contains("codebook") && footerRow($0).contains("q quit") }
        let footer = footerRow(shown)
        XCTAssertTrue(footer.contains("? help") && footer.contains("q quit"), "footer: \(footer)\n\(shown)")
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    func testBrowsesTheSamplesOfADatasetFileInColour() throws {
        // A tiny 3-channel model trained 3 steps on the Shapes3D-format fixture, then explored
        // on that file: n and p step through its images.
        let data = QLXBinary.repositoryRoot.appendingPathComponent("Tests/QLXDataTests/Fixtures/datasets/shapes3d_small.h5").path
        checkpoint = directory.appendingPathComponent("colour.safetensors").path
        let train = try QLXBinary.run(["train", "--data", data, "--steps", "3", "--eval-samples", "4", "--encoder-widths", "4,4,4,4",
                                       "--dense-widths", "8", "--metrics-samples", "0", "-o", checkpoint], timeout: 300)
        XCTAssertEqual(train.status, 0, train.stderr)
        try start(environment: "-u NO_COLOR COLORTERM=truecolor TERM=xterm-256color LANG=C.UTF-8", metricSamples: 40,
                  arguments: "--data '\(data)'")
        try waitFor("the explorer") { $0.contains("codebook") && $0.contains("shapes3d") }
        try keys("n")
        let first = try waitFor("a sample") { $0.range(of: "sample [0-9]+", options: .regularExpression) != nil }
        let firstSample = first.range(of: "sample [0-9]+", options: .regularExpression).map { String(first[$0]) }
        try keys("n")
        try waitFor("the next sample") { screen in
            screen.range(of: "sample [0-9]+", options: .regularExpression).map { String(screen[$0]) } != firstSample
        }
        let styled = try screen(colors: true)
        XCTAssertTrue(styled.contains("38;2;") || styled.contains("38;5;"), "colour images")
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    func testCtrlCQuitsAndSIGTERMRestoresTheTerminal() throws {
        // Plenty of metric samples: quitting must not wait for the background evaluation.
        try start(metricSamples: 50_000)
        try waitFor("the explorer") { $0.contains("codebook") }
        try keys("C-c")
        let afterCtrlC = try waitFor("exit") { $0.contains("EXITED") }
        XCTAssertTrue(afterCtrlC.contains("EXITED 0"), afterCtrlC)
        try tmux(["kill-server"], output: false)
        server += "-term"   // a fresh server: the old one may still be shutting down

        try start(metricSamples: 50_000)
        try waitFor("the explorer") { $0.contains("codebook") }
        let shell = try tmux(["list-panes", "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let explorer = try XCTUnwrap(childProcess(of: Int32(shell) ?? -1, named: "qlx"))
        kill(explorer, SIGTERM)
        let afterTerm = try waitFor("exit") { $0.contains("EXITED") }
        XCTAssertTrue(afterTerm.contains("EXITED 143"), afterTerm)
        XCTAssertFalse(afterTerm.contains("codebook"), afterTerm)
    }

    func testPlainASCIIWithoutUTF8ColourOrAKnownTerminal() throws {
        try start(environment: "-u COLORTERM TERM=no-such-terminal-qlx LANG=C LC_ALL=C NO_COLOR=1")
        let text = try waitFor("the explorer") { $0.contains("codebook") && $0.contains("> 0") && $0.contains("q quit") }
        XCTAssertTrue(text.unicodeScalars.allSatisfy(\.isASCII), text)
        let styled = try screen(colors: true)
        for sgr in ["38;5;", "48;5;", "38;2;", "48;2;"] { XCTAssertFalse(styled.contains(sgr), "colour \(sgr) under NO_COLOR") }
        XCTAssertNil(styled.range(of: "\u{1B}\\[[34][0-7]m", options: .regularExpression))
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    func testScriptedKeysAndStats() throws {
        try start(arguments: "--keys 'l j 200ms t 600ms x ? Esc q' --key-delay 50 --stats")
        let text = try waitFor("the stats", timeout: 30) { $0.contains("EXITED") }
        XCTAssertTrue(text.contains("EXITED 0"), text)
        XCTAssertTrue(text.contains("start-up to first frame:"), text)
        XCTAssertTrue(text.contains("key to frame: 6 ×"), text)
    }

    /// `--keys 'l x100000000 q' --key-delay 0` expanded every repeat first (150 MB/s)
    /// and ignored q. Repeats play lazily, and a real q (or Ctrl-C) ends playback.
    func testARealKeyInterruptsAHugeScript() throws {
        try start(arguments: "--keys 'l x100000000 q' --key-delay 0")
        try waitFor("the explorer") { $0.contains("codebook") }
        try keys("q")
        let text = try waitFor("exit") { $0.contains("EXITED") }
        XCTAssertTrue(text.contains("EXITED 0"), text)
    }

    func testNotATerminalIsAOneLineErrorPointingToTraverse() throws {
        let run = try QLXBinary.run(["explore", checkpoint])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "")
        let message = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(message.contains("\n"), message)
        XCTAssertTrue(message.contains("qlx traverse"), message)
        XCTAssertFalse(message.contains("\u{1B}"), "no escape sequences: \(message)")
    }

    func testHelpPrintsTheKeyTableAndTheScriptSyntax() throws {
        let run = try QLXBinary.run(["explore", "--help"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for text in ["↑/↓  k/j", "export the traversal as PNG", "--keys", "500ms", "traverse"] {
            XCTAssertTrue(run.stdout.contains(text), "missing \(text):\n\(run.stdout)")
        }
    }

    // MARK: - Helpers

    /// The rows right of the latents panel (the preview), with colours.
    func previewRows(_ screen: String) -> [Substring] {
        Array(screen.split(separator: "\n").dropFirst(2).prefix(10))
    }

    /// A child of `parent` whose command is `name` (from /proc).
    func childProcess(of parent: Int32, named name: String) -> Int32? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { continue }
            // pid (comm) state ppid …
            guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
            let comm = stat[stat.index(after: open)..<close]
            let rest = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            if comm == name, rest.count > 1, Int32(rest[1]) == parent { return pid }
        }
        return nil
    }
}

/// A tiny random-init model with the sprites shapes (decodes in well under a millisecond).
enum ExploreTestModel {
    static let config = tinySpritesConfig(encoderWidths: [4, 8], decoderWidths: [8, 4], dense: 16, latents: 10, values: 10)
}

import Foundation
import XCTest

/// The explorer end to end for the mouse, colour depth, the settings file and exports (the
/// tmux driver is ExploreTmuxTests').
extension ExploreTmuxTests {
    /// Writes an SGR mouse report (what xterm sends) into the pane: `button` 0 is the left
    /// button, 64/65 the wheel up/down; x and y are 0-based cells.
    func mouse(button: Int, x: Int, y: Int) throws {
        for final in ["M", "m"] where final == "M" || button == 0 {
            let report = "\u{1B}[<\(button);\(x + 1);\(y + 1)\(final)"
            try tmux(["send-keys", "-H"] + report.utf8.map { String(format: "%02x", $0) })
        }
    }

    /// The screen's lines.
    func lines(_ screen: String) -> [String] { screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    func testMouseClicksSelectALatentAndStepToAThumbnailAndTheWheelSteps() throws {
        try start()
        let opened = try waitFor("the explorer") { $0.contains("codebook") && $0.contains("▸ 0") }
        let flags = try tmux(["display-message", "-p", "#{mouse_standard_flag}#{mouse_sgr_flag}"])
        XCTAssertEqual(flags.trimmingCharacters(in: .whitespacesAndNewlines), "11", "the explorer asks for SGR mouse reports")
        // Latent 3's row: "  3 " at the start of a line of the latents panel.
        let row = try XCTUnwrap(lines(opened).firstIndex { $0.hasPrefix("  3 ") }, opened)
        try mouse(button: 0, x: 5, y: row)
        try waitFor("latent 3 selected by a click") { $0.contains("▸ 3") }

        // The strip's label row: value indices under the thumbnails, the current one in its frame.
        let now = try screen(colors: false)
        let current = try XCTUnwrap(code(now)).map(String.init)[3]
        let target = current == "7" ? "2" : "7"
        let labels = try XCTUnwrap(lines(now).lastIndex { $0.range(of: "^[ 0-9└┘─╰╯┄]+$", options: .regularExpression) != nil
                                                          && $0.contains(target) }, now)
        let line = lines(now)[labels]
        let x = line.distance(from: line.startIndex, to: try XCTUnwrap(line.firstIndex(of: Character(target))))
        try mouse(button: 0, x: x, y: labels - 1)
        try waitFor("z3 at value \(target) after a click on its thumbnail") { self.code($0).map { Array($0)[3] } == Character(target) }

        // The wheel (down) over the preview steps the value up by one.
        try mouse(button: 65, x: 60, y: 5)
        let expected = Character(String(Int(target)! + 1))
        try waitFor("one step up from the wheel") { self.code($0).map { Array($0)[3] } == expected }
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    func testNoMouseLeavesTheTerminalsMouseAlone() throws {
        try start(arguments: "--no-mouse")
        try waitFor("the explorer") { $0.contains("codebook") }
        let flags = try tmux(["display-message", "-p", "#{mouse_any_flag}#{mouse_standard_flag}#{mouse_sgr_flag}"])
        XCTAssertEqual(flags.trimmingCharacters(in: .whitespacesAndNewlines), "000")
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    /// COLORTERM=truecolor with TERM=xterm-256color (no RGB in terminfo): --colors 24bit draws
    /// 24-bit colours through a direct-colour entry. Without COLORTERM the status line says
    /// why it is 256.
    func testTwentyFourBitColoursWhenCOLORTERMSaysSoAndWhyNotOtherwise() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/terminfo/x/xterm-direct")
                || FileManager.default.fileExists(atPath: "/lib/terminfo/x/xterm-direct") else {
            throw XCTSkip("no xterm-direct terminfo entry (Debian's ncurses-term; scripts/ensure-deps installs it)")
        }
        try start(width: 160, environment: "-u NO_COLOR COLORTERM=truecolor TERM=xterm-256color LANG=C.UTF-8",
                  arguments: "--colors 24bit")
        try waitFor("the explorer") { $0.contains("codebook") }
        let styled = try waitFor("24-bit colours", colors: true) { $0.contains("48;2;") || $0.contains("38;2;") }
        XCTAssertFalse(styled.contains("lowered"), styled)
        // The status line is painted after the panels: wait for it rather than read one capture.
        let status = try waitFor("the status line") { (lines($0).last { !$0.isEmpty } ?? "").contains("q quit") }
        XCTAssertTrue(lines(status).last { !$0.isEmpty }?.contains("24bit") ?? false, "the status line says 24bit: \(status)")
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
        try tmux(["kill-server"], output: false)
        server += "-256"

        try start(width: 160, environment: "-u NO_COLOR -u COLORTERM TERM=xterm-256color LANG=C.UTF-8", arguments: "--colors 24bit")
        let lowered = try waitFor("the reason") { $0.contains("--colors 24bit lowered to 256") }
        XCTAssertTrue(lowered.contains("COLORTERM does not say truecolor"), lowered)
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    func testSettingsChangedByKeysPersistAndFlagsOverrideThem() throws {
        let file = directory.appendingPathComponent("config/qlx/config.toml").path
        try start()
        try waitFor("the explorer") { $0.contains("codebook") && $0.contains("half 256") }
        try keys("m")
        try waitFor("quadrant mode") { $0.contains("quadrant 256") }
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertNotNil(text.range(of: "mode = [\"']quadrant[\"']", options: .regularExpression), text)
        try tmux(["kill-server"], output: false)

        server += "-again"
        try start()
        try waitFor("the saved mode") { $0.contains("codebook") && $0.contains("quadrant 256") }
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
        try tmux(["kill-server"], output: false)

        server += "-flag"
        try start(arguments: "--mode sextant")
        try waitFor("the flag's mode") { $0.contains("codebook") && $0.contains("sextant 256") }
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), text, "a flag does not change the file")
    }

    /// The file's graphics and tour speed are used (sixel asked for inside tmux without
    /// passthrough: cells, and the status line says why); a flag overrides the graphics.
    func testTheSettingsFilesGraphicsAndTourSpeedAreUsedAndFlagsWin() throws {
        let folder = directory.appendingPathComponent("config/qlx")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "graphics = \"sixel\"\ntour_ms = 400\n".write(to: folder.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
        try start()
        try waitFor("sixel from the file, and why not") { $0.contains("codebook") && $0.contains("--graphics sixel: inside tmux") }
        try keys("p")
        try keys("t")
        try waitFor("the file's tour speed") { $0.contains("touring 400 ms") }
        try keys("x")
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
        try tmux(["kill-server"], output: false)

        server += "-flag"
        try start(arguments: "--graphics cells")
        let screen = try waitFor("the explorer") { $0.contains("codebook") && $0.contains("e/E export to") }
        XCTAssertFalse(screen.contains("--graphics"), screen)
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }

    func testAMalformedSettingsFileIsOneWarningAndIsNotOverwritten() throws {
        let folder = directory.appendingPathComponent("config/qlx")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("config.toml").path
        let broken = "mode = \"quadrant\"\ncolors = [\n"
        try broken.write(toFile: file, atomically: true, encoding: .utf8)
        try start(width: 200)
        try waitFor("the warning in the status line") { $0.contains("codebook") && $0.contains("ignoring the settings in \(file)") }
        try keys("m")
        try keys("q")
        let after = try waitFor("exit") { $0.contains("EXITED 0") }
        let warnings = lines(after).filter { $0.contains("qlx: warning:") }
        XCTAssertEqual(warnings.count, 1, after)
        XCTAssertTrue(warnings.first?.contains(file) ?? false, after)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), broken, "the file is left as it was")
    }

    func testExportsGoToTheExportFolderShownInTheStatusLine() throws {
        let exports = directory.appendingPathComponent("figures")
        try FileManager.default.createDirectory(at: exports, withIntermediateDirectories: true)
        try start(width: 160, arguments: "--export-dir '\(exports.path)'")
        try waitFor("the export folder") { $0.contains("codebook") && $0.contains("e/E export to \(exports.path)") }
        try keys("e")
        let shown = try waitFor("the export") { $0.contains("exported \(exports.path)/qlx-traversal-z0-") }
        let name = try XCTUnwrap(shown.range(of: "qlx-traversal-z0-[0-9]+\\.png", options: .regularExpression).map { String(shown[$0]) })
        let size = try PillowDecoder.size(exports.appendingPathComponent(name).path)
        XCTAssertGreaterThan(size.width, 10 * 128, "ten values at 2× and the sample column")
        try keys("E")
        try waitFor("the GIF") { $0.contains("exported \(exports.path)/qlx-tour-z0-") }
        try keys("q")
        try waitFor("exit") { $0.contains("EXITED 0") }
    }
}

import Foundation
import QLXTestSupport
import XCTest

/// Presentation mode, the 2-D sweep and the choice of graphics, end to end in tmux.
extension ExploreTmuxTests {
    func testPresentationModeToursAndReturnsTheLatentWhereItWas() throws {
        try start(arguments: "--present --stats")
        var text = try waitFor("the caption", timeout: 60) { $0.contains("z0 · ") && $0.contains("? help") }
        XCTAssertFalse(text.contains("codebook"), "no panels in presentation mode:\n\(text)")
        let caption = { (screen: String) in screen.split(separator: "\n").first { $0.contains("z0 · ") }.map(String.init) ?? "" }
        let before = caption(text)
        try keys("t")
        text = try waitFor("the tour to move") { caption($0) != before && $0.contains("touring") }
        try keys("+")
        try waitFor("a faster tour") { $0.contains("touring 100 ms") }
        try keys("f")
        try waitFor("the cross-fade") { $0.contains("cross-fade") && $0.contains("touring 100 ms smooth") }
        try keys("x")
        text = try waitFor("the tour to stop") { $0.contains("tour stopped") }
        XCTAssertEqual(caption(text), before, "the latent is back where it was")
        try keys("s")
        try waitFor("the sweep") { $0.contains("2-D sweep: z0") && $0.contains("(rows)") }
        try keys("Escape")
        text = try waitFor("the panels") { $0.contains("codebook") }
        try keys("p")
        try waitFor("presentation again") { $0.contains("z0 · ") && !$0.contains("codebook") }
        try keys("q")
        text = try waitFor("exit", timeout: 60) { $0.contains("EXITED") }
        XCTAssertTrue(text.contains("EXITED 0"), text)
        XCTAssertTrue(text.contains("graphics: cells: inside tmux with allow-passthrough off"), text)
    }

    /// With passthrough on, the queries go to the outer terminal (here none: the session is
    /// detached), so nothing answers and the explorer draws cells after the timeout; a forced
    /// protocol is used as asked.
    func testInsideTmuxPixelsNeedPassthroughAndAnAnswer() throws {
        try start(arguments: "--graphics sixel --stats")
        try waitFor("the status line to say why cells", timeout: 60) { $0.contains("--graphics sixel: inside tmux") && $0.contains("codebook") }
        try keys("q")
        var text = try waitFor("exit", timeout: 60) { $0.contains("EXITED") }
        XCTAssertTrue(text.contains("graphics: cells: inside tmux with allow-passthrough off"), text)
        try freshServer()

        try startWithPassthrough(arguments: "--keys '1s q' --stats")
        text = try waitFor("exit", timeout: 60) { $0.contains("EXITED") }
        XCTAssertTrue(text.contains("graphics: cells: no answer from the terminal"), text)
        try freshServer()

        try startWithPassthrough(arguments: "--graphics sixel --keys '3s l 1s q' --stats")
        text = try waitFor("exit", timeout: 60) { $0.contains("EXITED") }
        // The stats line may wrap at the pane's width.
        let joined = text.replacingOccurrences(of: "\n", with: "")
        XCTAssertTrue(joined.contains("graphics: sixel:"), text)
        XCTAssertTrue(joined.contains("images sent"), text)
    }

    /// The explorer in a new session of this test's server, after turning passthrough on.
    func startWithPassthrough(arguments: String) throws {
        let command = "tmux set -g allow-passthrough on; \(QLXBinary.path) explore '\(checkpoint!)' --metric-samples 200 \(arguments)"
        try tmux(["new-session", "-d", "-x", "100", "-y", "30",
                  "env -u NO_COLOR -u COLORTERM TERM=xterm-256color LANG=C.UTF-8 XDG_CONFIG_HOME='\(directory.path)/config' bash -c \"\(command); echo EXITED \\$?; sleep 60\""],
                 output: false)
    }

    /// Ends this test's tmux server and names a new one: a server started at once under the
    /// old name can meet the old one still shutting down (an empty screen, then a timeout).
    func freshServer() throws {
        try tmux(["kill-server"], output: false)
        server = "qlxtest-\(getpid())-\(UUID().uuidString.prefix(8))"
    }
}

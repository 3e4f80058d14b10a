import XCTest
import QLXRender

final class TerminalCapabilitiesTests: XCTestCase {
    func detect(_ env: [String: String], terminal: Bool = true) -> TerminalCapabilities {
        TerminalCapabilities.detect(environment: env, isTerminal: terminal)
    }

    func testColourDepthFromTermAndColorterm() {
        let utf8 = ["LANG": "en_US.UTF-8"]
        func depth(_ term: String, _ colorterm: String? = nil) -> ColorDepth {
            var env = utf8
            env["TERM"] = term
            env["COLORTERM"] = colorterm
            return detect(env).colors
        }
        XCTAssertEqual(depth("xterm-256color"), .palette256)
        XCTAssertEqual(depth("tmux-256color"), .palette256)
        XCTAssertEqual(depth("screen.xterm-256color"), .palette256)
        XCTAssertEqual(depth("xterm-256color", "truecolor"), .trueColor)
        XCTAssertEqual(depth("xterm", "24bit"), .trueColor)
        XCTAssertEqual(depth("xterm-direct"), .trueColor)
        XCTAssertEqual(depth("xterm-16color"), .palette16)
        XCTAssertEqual(depth("xterm"), .palette8)
        XCTAssertEqual(depth("linux"), .palette8)
        XCTAssertEqual(depth("xterm-kitty"), .palette256)
        XCTAssertEqual(depth("vt100"), .none)
        XCTAssertEqual(depth("some-unknown-terminal"), .palette8)
    }

    func testDumbTerminalsGetPlainASCII() {
        XCTAssertEqual(detect(["TERM": "dumb", "LANG": "C.UTF-8", "COLORTERM": "truecolor"]),
                       TerminalCapabilities(colors: .none, unicode: false))
        XCTAssertEqual(detect(["LANG": "C.UTF-8"]), TerminalCapabilities(colors: .none, unicode: false))
        XCTAssertEqual(detect(["TERM": "dumb"]).preferredMode, .ascii)
    }

    func testPipesGetNoColourButKeepUnicodeFromTheLocale() {
        XCTAssertEqual(detect(["TERM": "xterm-256color", "LANG": "C.UTF-8"], terminal: false),
                       TerminalCapabilities(colors: .none, unicode: true))
        // CI runners often have no TERM at all.
        XCTAssertEqual(detect(["LANG": "C.UTF-8"], terminal: false), TerminalCapabilities(colors: .none, unicode: true))
        XCTAssertEqual(detect(["LANG": "C"], terminal: false).preferredMode, .ascii)
    }

    func testNoColorMustBeNonEmpty() {
        XCTAssertEqual(detect(["TERM": "xterm-256color", "NO_COLOR": "1"]).colors, .none)
        XCTAssertEqual(detect(["TERM": "xterm-256color", "NO_COLOR": ""]).colors, .palette256)
    }

    func testLocalePrecedence() {
        XCTAssertFalse(TerminalCapabilities.localeIsUTF8(["LC_ALL": "C", "LANG": "en_US.UTF-8"]))
        XCTAssertTrue(TerminalCapabilities.localeIsUTF8(["LC_ALL": "", "LC_CTYPE": "en_US.utf8", "LANG": "C"]))
        XCTAssertTrue(TerminalCapabilities.localeIsUTF8(["LANG": "de_DE.UTF-8"]))
        XCTAssertFalse(TerminalCapabilities.localeIsUTF8(["LANG": "POSIX"]))
        XCTAssertFalse(TerminalCapabilities.localeIsUTF8([:]))
    }

    func testFlagsOverrideDetection() {
        let piped = detect(["TERM": "xterm-256color", "NO_COLOR": "1", "LANG": "C"], terminal: false)
        XCTAssertEqual(piped.overriding(colors: .palette256, mode: nil).colors, .palette256)
        XCTAssertTrue(piped.overriding(colors: nil, mode: .sextant).unicode)
        XCTAssertFalse(piped.overriding(colors: nil, mode: .ascii).unicode)
    }

    func testADumbTerminalIsOneRuleForEveryCommandAndTheExplorer() {
        XCTAssertTrue(TerminalCapabilities.isDumb(environment: ["TERM": "dumb"], isTerminal: true))
        XCTAssertTrue(TerminalCapabilities.isDumb(environment: ["TERM": "DUMB"], isTerminal: false))
        XCTAssertTrue(TerminalCapabilities.isDumb(environment: [:], isTerminal: true), "no TERM on a terminal")
        XCTAssertFalse(TerminalCapabilities.isDumb(environment: [:], isTerminal: false), "no TERM in a pipe says nothing")
        XCTAssertFalse(TerminalCapabilities.isDumb(environment: ["TERM": "xterm"], isTerminal: true))
        XCTAssertEqual(detect(["TERM": "dumb", "LANG": "C.UTF-8"]), TerminalCapabilities(colors: .none, unicode: false))
    }
}

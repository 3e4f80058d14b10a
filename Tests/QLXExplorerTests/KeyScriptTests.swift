import QLXExplorer
import XCTest

final class KeyScriptTests: XCTestCase {
    func testParsesKeysNamesPausesAndRepeats() throws {
        let script = try KeyScript(parsing: "l l 500ms j x3 C-l Up 1.5s ?", defaultGap: 100)
        XCTAssertEqual(script.steps.map(\.key), [.character("l"), .character("l"), .character("j"), .character("j"),
                                                 .character("j"), .control("l"), .up, .character("?")])
        XCTAssertEqual(script.steps.map(\.delayBefore), [0, 100, 500, 100, 100, 100, 100, 1500])
    }

    func testFilesMayHaveCommentsAndLines() throws {
        let script = try KeyScript(parsing: "# demo\nl  # step right\n\nSpace Esc\n", defaultGap: 10, source: "demo.keys")
        XCTAssertEqual(script.steps.map(\.key), [.character("l"), .character(" "), .escape])
    }

    /// A repeat stays one run (`l x100000000 q` must not expand to 10⁸ keys), and scripts are bounded in size.
    func testRepeatsStayRunsAndScriptsAreBounded() throws {
        let script = try KeyScript(parsing: "l x100000000 q", defaultGap: 0)
        XCTAssertEqual(script.runs.map(\.count), [1, 99_999_999, 1])
        var playback = KeyScript.Playback(script)
        XCTAssertEqual((0..<3).compactMap { _ in playback.next()?.key }, [.character("l"), .character("l"), .character("l")])
        XCTAssertThrowsError(try KeyScript(parsing: "l x10000000000")) { error in
            XCTAssertEqual("\(error)", "--keys: cannot read key 'x10000000000': a repeat is x1…x1000000000")
        }
        XCTAssertThrowsError(try KeyScript(parsing: String(repeating: "l ", count: KeyScript.maximumBytes), source: "big.keys")) { error in
            XCTAssertEqual("\(error)", "big.keys: a key script of 2097152 bytes; the limit is 1048576 bytes")
        }
        XCTAssertThrowsError(try KeyScript(parsing: "l \u{1B}[2J")) { error in
            XCTAssertTrue("\(error)".hasPrefix(#"--keys: cannot read key '\x1b[2J'"#), "\(error)")
        }
    }

    func testRejectsUnknownNamesAndALeadingRepeat() {
        XCTAssertThrowsError(try KeyScript(parsing: "l Wobble")) { error in
            XCTAssertEqual(String("\(error)".prefix(31)), "--keys: cannot read key 'Wobble")
        }
        XCTAssertThrowsError(try KeyScript(parsing: "x3 l", source: "f.keys")) { error in
            XCTAssertTrue("\(error)".contains("f.keys"), "\(error)")
        }
    }

    func testTheHelpOverlayClosesOnItsOwnKeysAndStillQuitsOnCtrlC() {
        for key in [Key.character("?"), .escape, .character("q")] {
            XCTAssertEqual(KeyTable.helpOverlayAction(for: key), .closeHelp, "\(key)")
        }
        XCTAssertEqual(KeyTable.helpOverlayAction(for: .control("c")), .quit)
        XCTAssertEqual(KeyTable.helpOverlayAction(for: .control("l")), .redraw)
        XCTAssertNil(KeyTable.helpOverlayAction(for: .character("l")), "other keys do nothing under the help")
    }
}

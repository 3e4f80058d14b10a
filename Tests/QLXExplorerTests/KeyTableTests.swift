import QLXExplorer
import XCTest

final class KeyTableTests: XCTestCase {
    func testArrowsAndVimKeysMapToTheSameActions() {
        XCTAssertEqual(KeyTable.action(for: .up), .selectPreviousLatent)
        XCTAssertEqual(KeyTable.action(for: .character("k")), .selectPreviousLatent)
        XCTAssertEqual(KeyTable.action(for: .down), .selectNextLatent)
        XCTAssertEqual(KeyTable.action(for: .character("j")), .selectNextLatent)
        XCTAssertEqual(KeyTable.action(for: .left), .stepValue(-1))
        XCTAssertEqual(KeyTable.action(for: .character("h")), .stepValue(-1))
        XCTAssertEqual(KeyTable.action(for: .right), .stepValue(1))
        XCTAssertEqual(KeyTable.action(for: .character("l")), .stepValue(1))
    }

    func testDigitsJumpAndQuitKeysQuit() {
        for digit in 0...9 {
            XCTAssertEqual(KeyTable.action(for: .character(Character(String(digit)))), .jumpToValue(digit))
        }
        XCTAssertEqual(KeyTable.action(for: .character("q")), .quit)
        XCTAssertEqual(KeyTable.action(for: .control("c")), .quit)
        XCTAssertEqual(KeyTable.action(for: .control("l")), .redraw)
        XCTAssertEqual(KeyTable.action(for: .escape), .closeHelp)
        XCTAssertNil(KeyTable.action(for: .character("Q")))
    }

    /// Every action has a key, except those only the mouse sends (a click names the latent or
    /// value). The list comes from the action type, so a new action without a key fails here.
    func testEveryActionHasAKeyOrIsTheMouses() {
        // The table's keys and Esc, read as the explorer reads them, with and without the help open.
        let keys = KeyTable.bindings.flatMap { $0.keys.map(\.key) } + [.escape]
        let bound = Set(keys.flatMap { [KeyTable.action(for: $0), KeyTable.helpOverlayAction(for: $0)] }.compactMap { $0?.kind })
        let mouseOnly: Set<Action.Kind> = [.selectLatent, .setValue]
        for kind in Action.Kind.allCases where !mouseOnly.contains(kind) {
            XCTAssertTrue(bound.contains(kind), "\(kind) has no key")
        }
        XCTAssertTrue(bound.isDisjoint(with: mouseOnly), "the mouse's actions need no key")
    }

    func testHelpLinesListEveryBindingAndAreASCIIWhenAsked() {
        let lines = KeyTable.helpLines(unicode: true)
        XCTAssertEqual(lines.count, KeyTable.bindings.count)
        XCTAssertTrue(lines[0].hasPrefix("↑/↓  k/j"))
        XCTAssertTrue(lines.contains { $0.contains("export the traversal as PNG") })
        for line in KeyTable.helpLines(unicode: false) {
            XCTAssertTrue(line.unicodeScalars.allSatisfy(\.isASCII), line)
        }
    }

    func testControlCodesBecomeNamedKeys() {
        XCTAssertEqual(Key(controlCode: 3), .control("c"))
        XCTAssertEqual(Key(controlCode: 12), .control("l"))
        XCTAssertEqual(Key(controlCode: 27), .escape)
        XCTAssertEqual(Key(controlCode: 13), .enter)
        XCTAssertEqual(Key(controlCode: 127), .backspace)
    }
}

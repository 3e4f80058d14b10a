import XCTest
import QLXRender

final class DirectColorEntryTests: XCTestCase {
    func testDirectColourEntriesFollowTheTerminalFamily() {
        XCTAssertEqual(TerminalCapabilities.directColorEntries(for: "xterm-256color"), ["xterm-direct"])
        XCTAssertEqual(TerminalCapabilities.directColorEntries(for: "tmux-256color"), ["tmux-direct"])
        XCTAssertEqual(TerminalCapabilities.directColorEntries(for: "screen"), ["tmux-direct"])
        XCTAssertEqual(TerminalCapabilities.directColorEntries(for: "foot"), ["foot-direct", "xterm-direct"])
        XCTAssertEqual(TerminalCapabilities.directColorEntries(for: "xterm-direct"), [])
        XCTAssertEqual(TerminalCapabilities.directColorEntries(for: "linux"), [])
        XCTAssertEqual(TerminalCapabilities.directColorEntries(for: ""), [])
    }
}

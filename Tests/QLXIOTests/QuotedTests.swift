import QLXIO
import XCTest

final class QuotedTests: XCTestCase {
    func testControlBytesAreEscapedAndTheValueStaysOnOneLine() {
        XCTAssertEqual(quoted("F32\u{1B}[2J\nline2\r\u{7}"), #"'F32\x1b[2J\nline2\r\x07'"#)
        XCTAssertEqual(quoted("it's a \\ path"), #"'it\'s a \\ path'"#)
        XCTAssertEqual(quoted("\u{9B}31m\u{202E}"), #"'\x9b31m\u{202e}'"#)
        XCTAssertEqual(quoted("héllo"), "'héllo'")
    }

    func testLongValuesAreCut() {
        XCTAssertEqual(quoted(String(repeating: "a", count: 100), limit: 5), "'aaaaa…'")
        XCTAssertEqual(quoted("abcde", limit: 5), "'abcde'")
    }
}

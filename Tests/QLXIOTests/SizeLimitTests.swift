import QLXIO
import XCTest

final class SizeLimitTests: XCTestCase {
    func testProductsThatOverflowAreNil() {
        XCTAssertNil(SizeLimit.product([1 << 62, 3]))
        XCTAssertNil(SizeLimit.product([1 << 31, 1 << 31, 4]))
        XCTAssertNil(SizeLimit.product([1_000_000_000_000, 1_000_000_000_000]))
        XCTAssertNil(SizeLimit.product([3, -1]))
        XCTAssertEqual(SizeLimit.product([Int.max, 1]), Int.max)
        XCTAssertEqual(SizeLimit.product([]), 1)
    }

    func testCheckStatesTheLimit() {
        XCTAssertThrowsError(try SizeLimit.check([1 << 62, 3], bytesEach: 8, what: "shape [4611686018427387904, 3]")) { error in
            XCTAssertEqual("\(error)", "shape [4611686018427387904, 3] needs more than 2⁶³ bytes; the limit is \(SizeLimit.memoryLimitDescription)")
        }
        XCTAssertThrowsError(try SizeLimit.check([SizeLimit.memoryLimit], bytesEach: 2, what: "x"))
        XCTAssertEqual(try SizeLimit.check([10, 3], bytesEach: 8, what: "x"), 240)
        XCTAssertEqual(SizeLimit.maximumCount(bytesEach: SizeLimit.memoryLimit * 2), 1)
    }
}

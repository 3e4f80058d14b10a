import XCTest
import QLXCore
final class TensorTests: XCTestCase {
    func testReshapeKeepsElements() {
        let t = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]).reshaped([3, 2])
        XCTAssertEqual(t.shape, [3, 2]); XCTAssertEqual(t.data[5], 6)
    }
}

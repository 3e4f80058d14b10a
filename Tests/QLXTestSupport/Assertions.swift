import XCTest
import QLXCore

/// Asserts |a − b| ≤ atol + rtol·|b| element-wise, naming the first index that differs.
public func assertClose(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-4, atol: Float = 1e-5,
                        _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(message) count \(actual.count) != \(expected.count)", file: file, line: line)
        return
    }
    for i in actual.indices {
        let a = actual[i], b = expected[i]
        if !(abs(a - b) <= atol + rtol * abs(b)) {
            XCTFail("\(message) element \(i): \(a) vs expected \(b)", file: file, line: line)
            return
        }
    }
}

public func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5,
                        _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "\(message) shape", file: file, line: line)
    assertClose(actual.data, expected.data, rtol: rtol, atol: atol, message, file: file, line: line)
}

/// Asserts |actual − expected| ≤ tolerance for one figure, naming it.
public func assertClose(_ actual: Double, _ expected: Double, tolerance: Double, _ message: @autoclosure () -> String,
                        file: StaticString = #filePath, line: UInt = #line) {
    XCTAssert(abs(actual - expected) <= tolerance,
              "\(message()): \(actual) vs expected \(expected) (tolerance \(tolerance))", file: file, line: line)
}

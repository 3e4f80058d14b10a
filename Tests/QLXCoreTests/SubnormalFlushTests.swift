import XCTest
import QLXCore

final class SubnormalFlushTests: XCTestCase {
    /// Kept out of the optimiser's sight so the products below are computed at run time.
    private var smallestNormal: Float = .leastNormalMagnitude
    private var half: Float = 0.5

    func testSubnormalResultsAreZeroOnlyInsideAndTheModeIsRestored() throws {
        let before = smallestNormal * half
        XCTAssertTrue(before.isSubnormal, "without flushing, half the smallest normal float is subnormal")
        XCTAssertFalse(SubnormalFlush.isEnabled)
        let inside = SubnormalFlush.enabled { () -> Float in
            XCTAssertTrue(SubnormalFlush.isEnabled)
            return smallestNormal * half
        }
        XCTAssertEqual(inside, 0, "a subnormal result is flushed to zero")
        XCTAssertFalse(SubnormalFlush.isEnabled, "the thread's previous mode comes back")
        XCTAssertTrue((smallestNormal * half).isSubnormal)
    }

    func testSubnormalInputsReadAsZeroInside() {
        let subnormal = smallestNormal * half
        let scaled = SubnormalFlush.enabled { subnormal * Float(1 << 20) }
        XCTAssertEqual(scaled, 0, "a subnormal operand counts as zero")
        XCTAssertGreaterThan(subnormal * Float(1 << 20), 0)
    }

    func testParallelWorkersRunInTheCallersMode() {
        let saved = Parallel.threadCount
        Parallel.threadCount = 4
        defer { Parallel.threadCount = saved }
        let count = 64
        var flushed = [Float](repeating: -1, count: count)
        let x = smallestNormal, h = half
        flushed.withUnsafeMutableBufferPointer { out in
            SubnormalFlush.enabled {
                Parallel.forEach(count: count) { i in out[i] = x * h }
            }
        }
        XCTAssertEqual(flushed, [Float](repeating: 0, count: count))
        var ranges = [Float](repeating: 0, count: count)
        ranges.withUnsafeMutableBufferPointer { out in
            Parallel.forRanges(count: count, minimumPerThread: 1) { range in
                for i in range { out[i] = x * h }
            }
        }
        XCTAssertTrue(ranges.allSatisfy(\.isSubnormal), "workers outside the mode keep subnormals")
    }
}

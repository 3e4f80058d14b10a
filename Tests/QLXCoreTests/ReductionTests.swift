import XCTest
import QLXCore
import QLXTestSupport

/// The eight-lane sums against Double loops, for lengths around the lane count and an
/// unaligned start.
final class ReductionTests: XCTestCase {
    func testSumsMatchDoubleLoops() {
        let a = randomTensor([203], seed: 1).data.map { $0 * 3 + 1 }
        let b = randomTensor([203], seed: 2).data
        for (start, count) in [(0, 0), (0, 1), (1, 7), (0, 8), (3, 9), (5, 16), (2, 100), (0, 203)] {
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                let (x, y) = (pa.baseAddress! + start, pb.baseAddress! + start)
                let xs = (0..<count).map { Double(x[$0]) }, ys = (0..<count).map { Double(y[$0]) }
                let sum = xs.reduce(0, +)
                let mean = count > 0 ? sum / Double(count) : 0
                let dot = zip(xs, ys).map(*).reduce(0, +)
                XCTAssertEqual(Double(Reduce.sum(x, count: count)), sum, accuracy: 1e-4 * max(1, abs(sum)), "sum \(start) \(count)")
                XCTAssertEqual(Double(Reduce.squaredDeviations(x, count: count, around: Float(mean))),
                               xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +), accuracy: 1e-3, "squares \(start) \(count)")
                XCTAssertEqual(Double(Reduce.dot(x, y, count: count)), dot, accuracy: 1e-4 * max(1, abs(dot)), "dot \(start) \(count)")
                let both = Reduce.sumAndDot(y, x, count: count)
                XCTAssertEqual(Double(both.sum), ys.reduce(0, +), accuracy: 1e-4 * max(1, abs(sum)), "sumAndDot.sum \(start) \(count)")
                XCTAssertEqual(Double(both.dot), dot, accuracy: 1e-4 * max(1, abs(dot)), "sumAndDot.dot \(start) \(count)")
            } }
        }
    }
}

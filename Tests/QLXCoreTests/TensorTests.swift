import XCTest
import QLXCore
import QLXTestSupport

final class TensorTests: XCTestCase {
    func testReshapeKeepsElements() {
        let t = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]).reshaped([3, 2])
        XCTAssertEqual(t.shape, [3, 2]); XCTAssertEqual(t.data[5], 6)
    }

    func testFeatureMapStoresChannelsMajorAndRoundTrips() {
        let t = randomTensor([3, 2, 4, 5], seed: 1)
        let m = FeatureMap(nchw: t)
        XCTAssertEqual([m.channels, m.batch, m.height, m.width], [2, 3, 4, 5])
        // element (n=2, c=1, y=3, x=4) sits at ((c·N + n)·H + y)·W + x
        let channelMajorIndex: Int = ((1 * 3 + 2) * 4 + 3) * 5 + 4
        let batchMajorIndex: Int = ((2 * 2 + 1) * 4 + 3) * 5 + 4
        XCTAssertEqual(m.data[channelMajorIndex], t.data[batchMajorIndex])
        XCTAssertEqual(m.nchw(), t)
    }

    func testGemmMatchesPlainLoopsWithTranspositions() {
        let (m, n, k) = (5, 7, 3)
        let a = randomTensor([m, k], seed: 2).data, at = randomTensor([k, m], seed: 3).data
        let b = randomTensor([k, n], seed: 4).data, bt = randomTensor([n, k], seed: 5).data
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let aa = ta ? at : a, bb = tb ? bt : b
            var c = [Float](repeating: 1, count: m * n)
            aa.withUnsafeBufferPointer { pa in bb.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                Gemm.multiply(pa.baseAddress!, transposeA: ta, pb.baseAddress!, transposeB: tb, into: pc.baseAddress!,
                              m: m, n: n, k: k, beta: 0.5)
            } } }
            var expected = [Float](repeating: 0, count: m * n)
            for i in 0..<m { for j in 0..<n {
                var s = 0.0
                for l in 0..<k {
                    s += Double(ta ? at[l * m + i] : a[i * k + l]) * Double(tb ? bt[j * k + l] : b[l * n + j])
                }
                expected[i * n + j] = Float(s) + 0.5
            } }
            assertClose(c, expected, "transposeA \(ta) transposeB \(tb)")
        }
    }
}

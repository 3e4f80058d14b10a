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

    /// Every transposition, with beta 0.5 and with beta 0 over a C holding NaN (BLAS must not
    /// read it), for a matrix product and a one-row one (which goes through sgemv).
    func testGemmMatchesPlainLoopsWithTranspositions() {
        for (m, n, k) in [(5, 7, 3), (1, 7, 3)] {
            let a = randomTensor([m, k], seed: 2).data, at = randomTensor([k, m], seed: 3).data
            let b = randomTensor([k, n], seed: 4).data, bt = randomTensor([n, k], seed: 5).data
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                for beta: Float in [0.5, 0] {
                    let aa = ta ? at : a, bb = tb ? bt : b
                    var c = [Float](repeating: beta == 0 ? .nan : 1, count: m * n)
                    aa.withUnsafeBufferPointer { pa in bb.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                        Gemm.multiply(pa.baseAddress!, transposeA: ta, pb.baseAddress!, transposeB: tb, into: pc.baseAddress!,
                                      m: m, n: n, k: k, beta: beta)
                    } } }
                    var expected = [Float](repeating: 0, count: m * n)
                    for i in 0..<m { for j in 0..<n {
                        var s = 0.0
                        for l in 0..<k {
                            s += Double(ta ? at[l * m + i] : a[i * k + l]) * Double(tb ? bt[j * k + l] : b[l * n + j])
                        }
                        expected[i * n + j] = Float(s) + beta
                    } }
                    assertClose(c, expected, "m \(m) transposeA \(ta) transposeB \(tb) beta \(beta)")
                }
            }
        }
    }

    /// Blocks along C's rows (C narrow) or along its columns in multiples of 16 (C wide), written
    /// into a larger C through ldc, must give the plain loops' product; the BLAS thread count
    /// must be back afterwards.
    func testGemmInBlocksMatchesPlainLoops() {
        let threads = Gemm.threadCount
        for (m, n, k) in [(37, 5, 11), (6, 70, 9), (3, 3, 4), (64, 64, 8)] {
            let a = randomTensor([m, k], seed: 6).data, b = randomTensor([k, n], seed: 7).data
            let ldc = n + 3
            var c = [Float](repeating: -7, count: m * ldc)
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                Gemm.multiplyInBlocks(pa.baseAddress!, pb.baseAddress!, into: pc.baseAddress!, m: m, n: n, k: k, ldc: ldc)
            } } }
            for i in 0..<m { for j in 0..<ldc {
                guard j < n else { XCTAssertEqual(c[i * ldc + j], -7); continue }
                var s = 0.0
                for l in 0..<k { s += Double(a[i * k + l]) * Double(b[l * n + j]) }
                XCTAssertEqual(c[i * ldc + j], Float(s), accuracy: 1e-4, "\(m)×\(n)×\(k) at \(i), \(j)")
            } }
        }
        XCTAssertEqual(Gemm.threadCount, threads)
    }
}

import XCTest
import QLXCore
import QLXTestSupport

/// The packed-weights matrix product against plain loops, on shapes that reach every edge of
/// its blocking: rows not a whole number of 6-row panels, columns not of 16-column panels,
/// K beyond one 256-deep block, n beyond one 512-column block, strided and transposed operands.
final class PackedGemmTests: XCTestCase {
    /// (m, n, k)
    private let shapes = [(1, 1, 1), (6, 16, 8), (7, 17, 3), (32, 16, 300), (13, 530, 257), (64, 40, 513), (5, 1100, 20)]

    private func plainProduct(_ a: [Float], rowStride: Int, columnStride: Int, _ b: [Float], ldb: Int, m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for l in 0..<k { sum += Double(a[i * rowStride + l * columnStride]) * Double(b[l * ldb + j]) }
                c[i * n + j] = Float(sum)
            }
        }
        return c
    }

    func testProductMatchesPlainLoops() {
        for (index, (m, n, k)) in shapes.enumerated() {
            let a = randomTensor([m, k], seed: UInt64(index)).data
            let b = randomTensor([k, n], seed: UInt64(50 + index)).data
            let expected = plainProduct(a, rowStride: k, columnStride: 1, b, ldb: n, m: m, n: n, k: k)
            let packed = PackedMatrix(rowMajor: a, rows: m, columns: k)
            for parallel in [false, true] {
                var c = [Float](repeating: .nan, count: m * n)
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in packed.multiply(pb.baseAddress!, n: n, into: pc.baseAddress!, parallel: parallel) }
                }
                assertClose(c, expected, "m \(m) n \(n) k \(k) parallel \(parallel)")
            }
        }
    }

    /// The portable kernel, which this machine (AVX2 + FMA) never picks by itself.
    func testBaselineKernelMatchesPlainLoops() {
        PackedMatrix.withBaselineKernel {
            testProductMatchesPlainLoops()
            testStridedOperands()
        }
    }

    /// A transposed A (column stride > 1), a B read from a wider matrix and a C written into
    /// a wider one, leaving its other columns alone.
    func testStridedOperands() {
        let (m, n, k) = (9, 20, 11)
        let storedA = randomTensor([k, m], seed: 1).data          // A = storedAᵀ
        let wideB = randomTensor([k, n + 5], seed: 2).data
        let expected = plainProduct(storedA, rowStride: 1, columnStride: m, wideB, ldb: n + 5, m: m, n: n, k: k)
        let packed = storedA.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: m, columns: k, rowStride: 1, columnStride: m) }
        var c = [Float](repeating: 7, count: m * (n + 3))
        wideB.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in packed.multiply(pb.baseAddress!, ldb: n + 5, n: n, into: pc.baseAddress!, ldc: n + 3) }
        }
        for i in 0..<m {
            assertClose(Array(c[(i * (n + 3))..<(i * (n + 3) + n)]), Array(expected[(i * n)..<(i * n + n)]), "row \(i)")
            XCTAssertEqual(Array(c[(i * (n + 3) + n)..<((i + 1) * (n + 3))]), [7, 7, 7], "row \(i) past n")
        }
    }
}

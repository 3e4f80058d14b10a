import Foundation
import QLXCore
import QLXMetrics
import XCTest

/// The estimators against plain, obviously-correct loops.
final class MutualInformationTests: XCTestCase {
    func randomLabels(_ n: Int, classes: Int, _ g: inout SeededGenerator) -> [Int32] {
        (0..<n).map { _ in Int32(Int.random(in: 0..<classes, using: &g)) }
    }

    /// I(a; b) = Σ p(x,y) log(p(x,y) / (p(x) p(y))) by nested loops over the definition.
    func naiveMutualInformation(_ a: [Int32], _ b: [Int32]) -> Double {
        let n = Double(a.count)
        var total = 0.0
        for x in Set(a) {
            for y in Set(b) {
                let joint = Double(zip(a, b).filter { $0 == x && $1 == y }.count) / n
                guard joint > 0 else { continue }
                let px = Double(a.filter { $0 == x }.count) / n, py = Double(b.filter { $0 == y }.count) / n
                total += joint * log(joint / (px * py))
            }
        }
        return max(total, 0)
    }

    func testPlugInMutualInformationMatchesTheDefinition() {
        var g = SeededGenerator(seed: 1)
        for (aClasses, bClasses) in [(2, 2), (3, 7), (5, 4)] {
            let a = randomLabels(300, classes: aClasses, &g)
            // b partly depends on a, so MI is clearly positive.
            let b = a.map { Bool.random(using: &g) ? Int32(Int($0) % bClasses) : Int32(Int.random(in: 0..<bClasses, using: &g)) }
            let fast = PlugInMutualInformation.mutualInformation(a, classes: aClasses, b, classes: bClasses)
            XCTAssertEqual(fast, naiveMutualInformation(a, b), accuracy: 1e-12)
            XCTAssertGreaterThan(fast, 0.01)
        }
    }

    func testEntropyIsMutualInformationWithItself() {
        var g = SeededGenerator(seed: 2)
        let a = randomLabels(500, classes: 6, &g)
        XCTAssertEqual(PlugInMutualInformation.entropy(a, classes: 6),
                       PlugInMutualInformation.mutualInformation(a, classes: 6, a, classes: 6), accuracy: 1e-12)
        XCTAssertEqual(PlugInMutualInformation.entropy([0, 1, 0, 1], classes: 2), log(2), accuracy: 1e-15)
    }

    /// Ross (2014) by brute force: all pairwise distances, no sorting or binary search.
    func naiveRoss(_ c: [Double], _ d: [Int32], k neighbours: Int) -> Double {
        let counts = Dictionary(grouping: d.indices, by: { d[$0] }).mapValues(\.count)
        let kept = c.indices.filter { counts[d[$0]]! > 1 }
        func psi(_ n: Int) -> Double { (1..<max(n, 1)).reduce(-0.5772156649015329) { $0 + 1 / Double($1) } }
        var sumK = 0.0, sumLabel = 0.0, sumM = 0.0
        for i in kept {
            let count = counts[d[i]]!
            let k = min(neighbours, count - 1)
            let sameLabel = kept.filter { $0 != i && d[$0] == d[i] }.map { abs(c[$0] - c[i]) }.sorted()
            let radius = sameLabel[k - 1].nextDown
            let m = kept.filter { abs(c[$0] - c[i]) <= radius }.count
            sumK += psi(k); sumLabel += psi(count); sumM += psi(m)
        }
        let n = Double(kept.count)
        return max(0, psi(kept.count) + sumK / n - sumLabel / n - sumM / n)
    }

    func testNearestNeighbourEstimatorMatchesBruteForce() {
        var g = SeededGenerator(seed: 3)
        let d = randomLabels(240, classes: 4, &g) + [9]   // label 9 occurs once: left out
        let c = d.map { Double($0) + Double(g.nextNormal()) * 0.8 }
        for k in [1, 3, 10] {
            let fast = NearestNeighbourMutualInformation.mutualInformation(continuous: c, labels: d, classes: 10, neighbours: k)
            XCTAssertEqual(fast, naiveRoss(c, d, k: k), accuracy: 1e-12, "k = \(k)")
        }
    }

    func testNearestNeighbourEstimatorIsNearZeroForIndependentAndHighForDependentData() {
        var g = SeededGenerator(seed: 4)
        let d = randomLabels(2000, classes: 3, &g)
        let independent = d.map { _ in Double(g.nextNormal()) }
        let dependent = d.map { Double($0) * 10 + Double(g.nextNormal()) }
        XCTAssertLessThan(NearestNeighbourMutualInformation.mutualInformation(continuous: independent, labels: d, classes: 3), 0.02)
        // Well-separated classes: MI ≈ H(d) ≈ log 3.
        XCTAssertEqual(NearestNeighbourMutualInformation.mutualInformation(continuous: dependent, labels: d, classes: 3),
                       log(3), accuracy: 0.02)
    }

    func testExpMatchesTheLibraryToFourteenDigits() {
        var worst = 0.0
        var x = -745.0
        while x <= 0 {
            let reference = exp(x)
            if reference > 1e-300 { worst = max(worst, abs(expNonPositiveForTesting(x) - reference) / reference) }
            x += 0.0137
        }
        XCTAssertLessThan(worst, 1e-14)
        XCTAssertEqual(expNonPositiveForTesting(0), 1)
    }
}

import Foundation
import QLXCore
import QLXMetrics
import XCTest

/// The chance level of `qlx metrics --chance`: InfoMEC of the latents with their rows
/// shuffled, checked against the plug-in estimator's known bias and against codes whose
/// information is known.
final class ChanceLevelTests: XCTestCase {
    func uniform(_ n: Int, classes: Int, _ g: inout SeededGenerator) -> [Int] {
        (0..<n).map { _ in Int(g.next() % UInt64(classes)) }
    }

    func testTheShuffleIsASeededPermutation() {
        let a = RowShuffle(rows: 1000, seed: 3), b = RowShuffle(rows: 1000, seed: 3), c = RowShuffle(rows: 1000, seed: 4)
        XCTAssertEqual(a.order.sorted(), Array(0..<1000))
        XCTAssertEqual(a.order, b.order)
        XCTAssertNotEqual(a.order, c.order)
        XCTAssertLessThan(zip(a.order, 0..<1000).filter { $0 == $1 }.count, 10, "most rows move")
        XCTAssertEqual(a.apply(to: Array(0..<1000).map { $0 * 2 }), a.order.map { $0 * 2 })
    }

    /// With 32 equally likely values against a 40-class source on 10,000 samples, the
    /// plug-in MI of independent variables is (31 · 39) / (2 · 10,000) nats on average
    /// (Miller 1955). The shuffled code's NMI must sit there, while the real one is high.
    func testChanceNMIIsThePlugInBiasAndAPerfectCodeStandsFarAboveIt() throws {
        var g = SeededGenerator(seed: 7)
        let n = 10_000
        let orientation = uniform(n, classes: 40, &g), shape = uniform(n, classes: 3, &g)
        let noise = uniform(n, classes: 32, &g)
        // Latent 0 copies the orientation (40 values), latent 1 the shape, latent 2 is noise.
        let sources = (0..<n).map { [shape[$0], orientation[$0]] }
        let codes = (0..<n).map { [orientation[$0], shape[$0], noise[$0]] }
        let s = try LabelEncodedColumns(rows: sources, input: "s"), z = try LabelEncodedColumns(rows: codes, input: "z")
        let real = try InfoMEC.discrete(sources: s, latents: z)
        let chance = try InfoMEC.discreteChance(sources: s, latents: z, seed: 0)
        XCTAssertGreaterThan(real.infoM, 0.8)
        XCTAssertGreaterThan(real.infoE, 0.99)
        let entropy40 = log(40.0) // close to the sample's entropy of 40 uniform classes
        let expectedNoiseNMI = 31.0 * 39.0 / (2.0 * Double(n)) / entropy40
        XCTAssertEqual(chance.nmi[1][2], expectedNoiseNMI, accuracy: 0.25 * expectedNoiseNMI)
        XCTAssertEqual(real.nmi[1][2], expectedNoiseNMI, accuracy: 0.25 * expectedNoiseNMI, "noise is chance either way")
        XCTAssertLessThan(chance.nmi[1][0], 0.03, "the copied orientation, shuffled, is only bias")
        XCTAssertLessThan(chance.infoE, 0.2)
        XCTAssertEqual(chance.seed, 0)
    }

    /// More one-hot columns give a higher in-sample InfoE with no information at all: the
    /// reason the chance level exists. 10 × 32 scores above 10 × 10 on the same factors.
    func testChanceInfoEGrowsWithTheCodebook() throws {
        var g = SeededGenerator(seed: 11)
        let n = 3_000
        let factors = (0..<n).map { _ in [Int(g.next() % 3), Int(g.next() % 12)] }
        let s = try LabelEncodedColumns(rows: factors, input: "s")
        func chanceInfoE(values: Int) throws -> Double {
            let codes = (0..<n).map { _ in (0..<10).map { _ in Int(g.next() % UInt64(values)) } }
            return try InfoMEC.discreteChance(sources: s, latents: try LabelEncodedColumns(rows: codes, input: "z"), seed: 1).infoE
        }
        let small = try chanceInfoE(values: 10), large = try chanceInfoE(values: 32)
        XCTAssertGreaterThan(large, 2 * small)
        XCTAssertGreaterThan(small, 0)
    }

    func testContinuousChanceLosesTheInformation() throws {
        var g = SeededGenerator(seed: 5)
        let n = 2_000
        let a = uniform(n, classes: 4, &g), b = uniform(n, classes: 5, &g)
        let sources = try LabelEncodedColumns(rows: (0..<n).map { [a[$0], b[$0]] }, input: "s")
        let columns = [a.map { Double($0) + 0.1 * Double(g.nextUnitFloat()) }, b.map { Double($0) + 0.1 * Double(g.nextUnitFloat()) }]
        let real = try InfoMEC.continuous(sources: sources, latentColumns: columns)
        let chance = try InfoMEC.continuousChance(sources: sources, latentColumns: columns, seed: 2)
        XCTAssertGreaterThan(real.infoE, 0.9)
        XCTAssertLessThan(chance.infoE, 0.02)
        XCTAssertLessThan(chance.nmi.flatMap { $0 }.max()!, 0.02)
    }
}

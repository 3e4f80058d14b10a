import QLXMetrics
import XCTest

/// Value meanings on a code/factor table whose answers are counted by hand.
final class ValueMeaningsTests: XCTestCase {
    /// z0 copies factor 0 except one row; z1 is 1 for every row but one.
    /// rows (z0, z1 | f0, f1): (0,1|0,2) (0,1|0,2) (0,1|1,0) (1,1|1,2) (1,0|1,1) (2,1|2,2)
    let codes = [[0, 1], [0, 1], [0, 1], [1, 1], [1, 0], [2, 1]]
    let factors = [[0, 2], [0, 2], [1, 0], [1, 2], [1, 1], [2, 2]]

    func testCountsAndModesMatchTheTable() {
        let m = ValueMeanings(codes: codes, factors: factors, codebookSize: 4,
                              valueNames: [["a", "b", "c"], ["x", "y", "z"]])
        XCTAssertEqual(m.latentCount, 2)
        XCTAssertEqual(m.entries[0].map(\.samples), [3, 2, 1, 0])
        // z0 = 0: f0 is 0 in 2 of 3 rows, f1 is 2 in 2 of 3.
        XCTAssertEqual(m.entries[0][0].modes, [.init(value: 0, count: 2, share: 2.0 / 3), .init(value: 2, count: 2, share: 2.0 / 3)])
        // z0 = 1: f0 is 1 in both; f1 ties 1 and 2 (one each): the smaller index wins.
        XCTAssertEqual(m.entries[0][1].modes, [.init(value: 1, count: 2, share: 1), .init(value: 1, count: 1, share: 0.5)])
        XCTAssertEqual(m.entries[0][3].modes, [], "a value no sample takes has no modes")
        XCTAssertEqual(m.entries[1].map(\.samples), [1, 5, 0, 0])
        XCTAssertEqual(m.entries[1][1].modes[1], .init(value: 2, count: 4, share: 0.8))
        XCTAssertEqual(m.modeText(latent: 1, value: 1, factor: 1, factorNames: ["f0", "f1"]), "f1 z (80%)")
        XCTAssertEqual(m.modeText(latent: 0, value: 0, factor: 0, factorNames: ["f0", "f1"]), "f0 a (67%)")
        XCTAssertNil(m.modeText(latent: 0, value: 3, factor: 0, factorNames: ["f0", "f1"]))
    }

    func testUnnamedValuesUseTheirIndexAndFactorsReachTheirLargestValue() {
        let m = ValueMeanings(codes: codes, factors: factors, codebookSize: 3, valueNames: [["a"], []])
        XCTAssertEqual(m.valueNames, [["a", "1", "2"], ["0", "1", "2"]])
    }
}

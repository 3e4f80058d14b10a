import QLXMetrics
import XCTest

/// Interventions with toy round trips whose answers are known.
final class InterventionTests: XCTestCase {
    let bases = [[0, 1, 2], [2, 2, 0], [1, 0, 1]]

    func testIdentityRoundTripHoldsEverywhereAndLeaksNowhere() throws {
        let m = try InterventionMatrix.measure(baseCodes: bases, codebookSize: 3, batchSize: 4) { $0 }
        XCTAssertEqual(m.bases, 3)
        for j in 0..<3 {
            XCTAssertEqual(m.holds(j), 1)
            XCTAssertEqual(m.changes[j], [0, 0, 0])
            XCTAssertEqual(m.holdsPerValue[j], [1, 1, 1])
        }
    }

    /// A decoder that ignores z1 draws the same image whatever z1 is; re-encoding reads z1 back
    /// from that image as the base's value, so a set z1 never holds, and nothing else moves.
    func testIgnoredLatentNeverHolds() throws {
        var originals: [[Int]: Int] = [:]
        // The round trip knows each code's base through the other latents (all distinct here).
        for base in bases { originals[[base[0], base[2]]] = base[1] }
        let m = try InterventionMatrix.measure(baseCodes: bases, codebookSize: 3) { codes in
            codes.map { code in
                guard let z1 = originals[[code[0], code[2]]] else { return code }
                return [code[0], z1, code[2]]
            }
        }
        XCTAssertEqual(m.holds(1), 0)
        XCTAssertEqual(m.changes[1], [0, 1, 0])
        // Setting z0 or z2 makes a code of no base (checked by hand): it comes back unchanged.
        XCTAssertEqual(m.changes[0], [0, 0, 0])
        XCTAssertEqual(m.changes[2], [0, 0, 0])
    }

    /// Three bases, two latents of two values: each latent is set once per base (to the other
    /// value). The round trip copies z0 into z1: setting z0 moves z1 whenever they differ.
    func testHandCheckedMatrix() throws {
        let bases = [[0, 0], [0, 1], [1, 1]]
        let m = try InterventionMatrix.measure(baseCodes: bases, codebookSize: 2, batchSize: 2) { codes in
            codes.map { [$0[0], $0[0]] }
        }
        // Set z0: [1,0]→[1,1] (z1 changes), [1,1]→[1,1], [0,1]→[0,0] (changes): z0 holds 3/3, z1 moves 2/3.
        XCTAssertEqual(m.changes[0][0], 0)
        XCTAssertEqual(m.changes[0][1], 2.0 / 3, accuracy: 1e-12)
        // Set z1: [0,1]→[0,0] (z1 lost), [0,0]→[0,0] (holds), [1,0]→[1,1] (lost): holds 1/3.
        XCTAssertEqual(m.holds(1), 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(m.changes[1][0], 0)
        // z1 set to 1 (first base) never holds; set to 0 (other two) holds once of two.
        XCTAssertEqual(m.holdsPerValue[1], [0.5, 0])
    }
}

import Foundation
import QLXData
import QLXMetrics
import XCTest

/// Bad input gives a thrown MetricsError with a one-line message, never a crash or NaN.
final class InfoMECInputTests: XCTestCase {
    let sources = (0..<40).map { [$0 % 2, $0 % 3] }
    var codes: [[Int]] { sources.map { [$0[0], $0[1], ($0[0] + $0[1]) % 2] } }

    func assertThrows(_ expected: MetricsError, mentioning words: [String], _ body: () throws -> Any,
                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? MetricsError, expected, file: file, line: line)
            let message = "\(error)"
            XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
            for word in words { XCTAssertTrue(message.contains(word), "\(message) should mention \(word)", file: file, line: line) }
        }
    }

    func testRowCountsThatDiffer() {
        assertThrows(.rowCountMismatch(sources: "sources", sourceRows: 40, latents: "latents", latentRows: 39),
                     mentioning: ["40", "39"]) { try InfoMEC.discrete(sources: sources, codes: Array(codes.dropLast())) }
        let continuous = codes.dropLast().map { $0.map(Double.init) }
        XCTAssertThrowsError(try InfoMEC.continuous(sources: sources, latents: Array(continuous)))
    }

    func testNaNAndInfinity() {
        var latents = codes.map { $0.map(Double.init) }
        latents[5][1] = .nan
        assertThrows(.nonFinite(input: "latents", row: 5, column: 1), mentioning: ["NaN", "row 5"]) {
            try InfoMEC.continuous(sources: sources, latents: latents)
        }
        latents[5][1] = .infinity
        assertThrows(.nonFinite(input: "latents", row: 5, column: 1), mentioning: ["Inf"]) {
            try InfoMEC.continuous(sources: sources, latents: latents)
        }
    }

    func testEmptyAndRaggedArrays() {
        assertThrows(.empty(input: "sources", shape: [0, 0]), mentioning: ["at least one row"]) {
            try InfoMEC.discrete(sources: [], codes: [])
        }
        assertThrows(.empty(input: "latents", shape: [40, 0]), mentioning: ["latents"]) {
            try InfoMEC.discrete(sources: sources, codes: sources.map { _ in [] })
        }
        var ragged = codes
        ragged[3] = [1]
        assertThrows(.raggedRows(input: "latents", row: 3, expected: 3, found: 1), mentioning: ["row 3"]) {
            try InfoMEC.discrete(sources: sources, codes: ragged)
        }
    }

    func testASourceWithASingleValue() {
        let constant = sources.map { [$0[0], 4] }
        assertThrows(.constantSource(input: "sources", column: 1, name: "column 1"), mentioning: ["single value"]) {
            try InfoMEC.discrete(sources: constant, codes: codes)
        }
    }

    func testTooFewSources() {
        assertThrows(.tooFewSources(input: "sources", found: 1), mentioning: ["at least 2"]) {
            try InfoMEC.discrete(sources: sources.map { [$0[0]] }, codes: codes)
        }
    }

    func testNoActiveLatents() {
        assertThrows(.noActiveLatents(latents: 2), mentioning: ["no active latents"]) {
            try InfoMEC.discrete(sources: sources, codes: sources.map { _ in [3, 3] })
        }
        // Continuous: a column below 1/20 of the widest range is inactive; all-constant → none.
        assertThrows(.noActiveLatents(latents: 2), mentioning: ["no active latents"]) {
            try InfoMEC.continuous(sources: sources, latents: sources.map { _ in [0.5, 0.5] })
        }
        assertThrows(.singleActiveLatent(index: 1), mentioning: ["only latent 1"]) {
            try InfoMEC.discrete(sources: sources, codes: sources.map { [3, $0[1]] })
        }
    }

    func testArrayModeChecksDimensionsAndNames() throws {
        let s = NpyArray(shape: [40, 2], values: .int64(sources.flatMap { $0.map(Int64.init) }))
        let z = NpyArray(shape: [40, 3], values: .int64(codes.flatMap { $0.map(Int64.init) }))
        let flat = NpyArray(shape: [120], values: z.values)
        XCTAssertThrowsError(try ArrayMetrics.evaluate(sources: s, sourcesName: "s.npy", latents: flat, latentsName: "z.npy", continuous: false)) { error in
            XCTAssertEqual(error as? MetricsError, .wrongDimensions(input: "z.npy", found: [120]))
            XCTAssertTrue("\(error)".contains("z.npy: expected a 2-D array"))
        }
        let empty = NpyArray(shape: [0, 3], values: .int64([]))
        XCTAssertThrowsError(try ArrayMetrics.evaluate(sources: s, sourcesName: "s.npy", latents: empty, latentsName: "z.npy", continuous: false)) { error in
            XCTAssertEqual(error as? MetricsError, .empty(input: "z.npy", shape: [0, 3]))
        }
        XCTAssertThrowsError(try ArrayMetrics.evaluate(sources: s, sourcesName: "s.npy", latents: z, latentsName: "z.npy",
                                                       continuous: false, factorNames: ["a"])) { error in
            XCTAssertEqual(error as? MetricsError, .factorNameCount(expected: 2, found: 1))
        }
        let constant = NpyArray(shape: [40, 2], values: .float64(sources.flatMap { [Double($0[0]), 1.5] }))
        XCTAssertThrowsError(try ArrayMetrics.evaluate(sources: constant, sourcesName: "s.npy", latents: z, latentsName: "z.npy",
                                                       continuous: false, factorNames: ["parity", "flat"])) { error in
            XCTAssertEqual(error as? MetricsError, .constantSource(input: "s.npy", column: 1, name: "flat"))
        }
        let report = try ArrayMetrics.evaluate(sources: s, sourcesName: "s.npy", latents: z, latentsName: "z.npy", continuous: false)
        XCTAssertEqual(report.factorNames, ["s0", "s1"])
        XCTAssertEqual(report.codebookUsage?.map(\.counts.count), [3, 3, 3])
        XCTAssertTrue([report.infoM, report.infoE, report.infoC, report.mig].allSatisfy(\.isFinite))
    }

    func testLatentsWithoutInformationGiveFiniteFigures() throws {
        // Latent 2 is active but exactly independent of both sources (plug-in MI 0): the
        // reference would divide 0 by 0; InfoMEC treats it as uniform.
        let s = (0..<36).map { [$0 % 2, ($0 / 2) % 3] }
        let z = (0..<36).map { [$0 % 2, ($0 / 2) % 3, ($0 / 6) % 3] }
        let r = try InfoMEC.discrete(sources: s, codes: z)
        XCTAssertEqual(r.nmi[0][2], 0)
        XCTAssertEqual(r.nmi[1][2], 0)
        XCTAssertNil(r.latentFactor[2])
        XCTAssertTrue([r.infoM, r.infoE, r.infoC, r.mig].allSatisfy(\.isFinite))
        // Two perfect latents and one with nothing: modularity terms 1, 1, 1/K → InfoM = 2/3.
        XCTAssertEqual(r.infoM, 2.0 / 3.0, accuracy: 1e-12)
    }

    /// Latents scaled by 1e154 gave InfoE 0 (the squares in the standardisation
    /// overflowed), and by 1e-300 the same (they underflowed). The figures must not depend on
    /// the latents' unit.
    func testContinuousMetricsDoNotDependOnTheLatentsScale() throws {
        let latents = codes.enumerated().map { i, row in
            row.enumerated().map { j, code in Double(code) + Double((i * 7919 + j * 104_729) % 601) / 1000 - 0.3 }
        }
        let reference = try InfoMEC.continuous(sources: sources, latents: latents)
        XCTAssertGreaterThan(reference.infoE, 0.1)
        for scale in [1e154, 1e-300, 1e300] {
            let scaled = try InfoMEC.continuous(sources: sources, latents: latents.map { $0.map { $0 * scale } })
            XCTAssertEqual(scaled.infoE, reference.infoE, accuracy: 1e-9, "scale \(scale)")
            XCTAssertEqual(scaled.infoM, reference.infoM, accuracy: 1e-9, "scale \(scale)")
            XCTAssertEqual(scaled.infoC, reference.infoC, accuracy: 1e-9, "scale \(scale)")
        }
    }
}

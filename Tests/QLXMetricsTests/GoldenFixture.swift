import Foundation
import XCTest

/// One case of Fixtures/infomec_golden.json (written by scripts/golden/metrics_golden.py
/// with scikit-learn): arrays and the figures scikit-learn computes for them.
struct GoldenCase: Decodable {
    struct Expected: Decodable {
        var nmi: [[Double]]
        var mutualInformation: [[Double]]
        var sourceEntropies: [Double]
        var activeLatents: [Bool]
        var infoM: Double
        var infoC: Double
        var infoE: Double
        var explicitnessPerSource: [Double]
        var mig: Double
    }
    var name: String
    var discrete: Bool
    var sources: [[Double]]
    var latents: [[Double]]
    var sourcesAreIntegers: Bool
    var latentsAreIntegers: Bool
    var expected: Expected
}

struct GoldenFile: Decodable {
    var sklearn: String
    var cases: [GoldenCase]
}

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func golden() throws -> GoldenFile {
        let data = try Data(contentsOf: directory.appendingPathComponent("infomec_golden.json"))
        return try JSONDecoder().decode(GoldenFile.self, from: data)
    }
}

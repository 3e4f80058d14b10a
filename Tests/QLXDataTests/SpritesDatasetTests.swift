import XCTest
import QLXCore
import QLXData

final class SpritesDatasetTests: XCTestCase {
    let dataset = SpritesDataset()

    func testGridMatchesDSprites() {
        XCTAssertEqual(dataset.name, "sprites")
        XCTAssertEqual(dataset.factorNames, ["shape", "scale", "orientation", "posX", "posY"])
        XCTAssertEqual(dataset.factorSizes, [3, 6, 40, 32, 32])
        XCTAssertEqual(dataset.count, 737_280)
        XCTAssertEqual(dataset.imageShape.channels, 1)
        XCTAssertEqual(dataset.imageShape.height, 64)
        XCTAssertEqual(dataset.imageShape.width, 64)
    }

    func testIndexAndFactorsAreInversesWithPosYFastest() {
        XCTAssertEqual(dataset.factors(at: 0), [0, 0, 0, 0, 0])
        XCTAssertEqual(dataset.factors(at: 1), [0, 0, 0, 0, 1])
        XCTAssertEqual(dataset.factors(at: 32), [0, 0, 0, 1, 0])
        XCTAssertEqual(dataset.factors(at: 737_279), [2, 5, 39, 31, 31])
        for index in sampleIndices(count: 500, of: dataset.count, seed: 3) {
            XCTAssertEqual(dataset.index(of: dataset.factors(at: index)), index)
        }
    }

    func testCheckedLookupsThrowOneLineErrors() {
        XCTAssertThrowsError(try dataset.checkedIndex(of: [0, 6, 0, 0, 0])) { error in
            XCTAssertEqual("\(error)", "dataset sprites: expected 5 factors with sizes [3, 6, 40, 32, 32], found [0, 6, 0, 0, 0]")
        }
        XCTAssertThrowsError(try dataset.checkedIndex(of: [0, 0])) { error in
            XCTAssertTrue("\(error)".contains("expected 5 factors"))
        }
        XCTAssertThrowsError(try dataset.checkedFactors(at: 737_280)) { error in
            XCTAssertEqual("\(error)", "dataset sprites: expected an image index in 0..<737280, found 737280")
        }
        XCTAssertEqual(try dataset.checkedIndex(of: [1, 2, 3, 4, 5]), dataset.index(of: [1, 2, 3, 4, 5]))
    }

    func testDatasetsByName() throws {
        XCTAssertEqual(try Datasets.named("sprites").count, 737_280)
        XCTAssertThrowsError(try Datasets.named("shapes9d")) { error in
            XCTAssertEqual("\(error)", "unknown dataset 'shapes9d'; expected one of sprites, scenes or the path of a dataset file (.npz, .h5, .npy)")
        }
    }

    func testBatchedImagesMatchSingleImagesOnEveryPath() {
        // 100 indices take the multi-core path; each single image the serial one.
        let indices = sampleIndices(count: 100, of: dataset.count, seed: 11)
        let batch = dataset.images(at: indices)
        XCTAssertEqual(batch.shape, [100, 1, 64, 64])
        for (n, index) in indices.enumerated() {
            let single = dataset.images(at: [index])
            XCTAssertEqual(Array(batch.data[(n * 4096)..<((n + 1) * 4096)]), single.data, "image \(index)")
        }
        XCTAssertTrue(batch.data.allSatisfy { $0 == 0 || $0 == 1 })
    }

    func testSampleIndicesAreDeterministicInRangeAndRoughlyUniform() {
        let a = sampleIndices(count: 30_000, of: 10, seed: 42)
        XCTAssertEqual(a, sampleIndices(count: 30_000, of: 10, seed: 42))
        XCTAssertNotEqual(a, sampleIndices(count: 30_000, of: 10, seed: 43))
        var counts = [Int](repeating: 0, count: 10)
        for i in a { counts[i] += 1 }
        // Each bucket expects 3000 ± 52 (1σ); 6σ bounds.
        XCTAssertTrue(counts.allSatisfy { abs($0 - 3000) < 320 }, "\(counts)")
        // Golden values pin the algorithm (SplitMix64 + multiply-shift) across releases.
        XCTAssertEqual(sampleIndices(count: 4, of: dataset.count, seed: 0), Self.goldenSample)
    }

    func testDistinctSampleHasNoRepeats() {
        let sample = sampleDistinctIndices(count: 1000, of: 1200, seed: 5)
        XCTAssertEqual(Set(sample).count, 1000)
        XCTAssertTrue(sample.allSatisfy { (0..<1200).contains($0) })
        XCTAssertEqual(sample, sampleDistinctIndices(count: 1000, of: 1200, seed: 5))
    }

    static let goldenSample = [651_247, 318_156, 19_489, 715_811]
}

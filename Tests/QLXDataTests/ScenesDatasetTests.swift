import XCTest
import QLXCore
import QLXData

/// The colour scenes: grid, determinism, and that each factor moves the image the way its name
/// says, judged on pixels (which pixels change when one factor changes).
final class ScenesDatasetTests: XCTestCase {
    let dataset = ScenesDataset()
    let side = 64, plane = 64 * 64

    func testGridMatchesShapes3D() {
        XCTAssertEqual(dataset.name, "scenes")
        XCTAssertEqual(dataset.factorNames, ["floorHue", "wallHue", "objectHue", "scale", "shape", "orientation"])
        XCTAssertEqual(dataset.factorSizes, [10, 10, 10, 8, 4, 15])
        XCTAssertEqual(dataset.count, 480_000)
        XCTAssertEqual(dataset.imageShape.channels, 3)
        XCTAssertEqual(dataset.factors(at: 1), [0, 0, 0, 0, 0, 1])
        XCTAssertEqual(dataset.factors(at: 479_999), [9, 9, 9, 7, 3, 14])
        XCTAssertEqual(try Datasets.named("scenes").count, 480_000)
        for index in sampleIndices(count: 200, of: dataset.count, seed: 5) {
            XCTAssertEqual(dataset.index(of: dataset.factors(at: index)), index)
        }
    }

    func testImagesAreRGBInUnitRangeAndBatchesMatchSingles() {
        let indices = sampleIndices(count: 80, of: dataset.count, seed: 9)
        let batch = dataset.images(at: indices)
        XCTAssertEqual(batch.shape, [80, 3, 64, 64])
        XCTAssertTrue(batch.data.allSatisfy { $0 >= 0 && $0 <= 1 })
        for (n, index) in indices.enumerated().prefix(10) {
            XCTAssertEqual(Array(batch.data[(n * 3 * plane)..<((n + 1) * 3 * plane)]), dataset.images(at: [index]).data)
        }
        // Colour, not grey: some pixel's channels differ clearly.
        let first = image([0, 3, 6, 4, 1, 7])
        XCTAssertTrue((0..<plane).contains { abs(first[$0] - first[plane + $0]) > 0.2 })
    }

    /// FNV-1a over the float bits of four images: the renderer draws the same bits everywhere
    /// (only +, −, ×, ÷ and √). A change to the scene changes these on purpose; update them then.
    func testRenderingIsDeterministic() {
        let tuples = [[0, 0, 0, 0, 0, 0], [3, 7, 1, 5, 1, 14], [9, 2, 5, 7, 2, 7], [4, 4, 8, 2, 3, 3]]
        let hashes = tuples.map { fnv1a(image($0)) }
        XCTAssertEqual(hashes, ScenesDatasetTests.goldenHashes, "got \(hashes.map { String($0, radix: 16) })")
    }
    static let goldenHashes: [UInt64] = [0x5796_2e0c_5f75_632d, 0x5b86_a0d4_aadf_0bbb, 0x6796_783e_240d_50be, 0xa6cf_aca0_1f34_b375]

    func testFloorHueChangesOnlyTheLowerBand() {
        let changed = changedPixels([0, 5, 2, 4, 0, 7], factor: 0, to: 6)
        XCTAssertTrue(changed.contains { $0 / side == side - 1 }, "the bottom row is floor")
        XCTAssertFalse(changed.contains { $0 / side == 0 }, "the top row is wall")
        XCTAssertFalse(changed.contains { $0 / side < 20 }, "nothing in the upper third")
    }

    func testWallHueChangesOnlyTheUpperBand() {
        let changed = changedPixels([0, 5, 2, 4, 0, 7], factor: 1, to: 1)
        XCTAssertTrue(changed.contains { $0 / side == 0 })
        XCTAssertFalse(changed.contains { $0 / side >= 44 }, "nothing in the lower third")
    }

    func testObjectHueChangesOnlyACentralObject() {
        for shape in 0..<4 {
            let object = objectMask(shape: shape, scale: 4, orientation: 7)
            XCTAssertGreaterThan(object.count, 80, "shape \(shape)")
            XCTAssertLessThan(object.count, 900, "shape \(shape)")
            for p in object {
                XCTAssertTrue((12..<52).contains(p % side), "shape \(shape): column \(p % side) is off centre")
                XCTAssertTrue((10..<56).contains(p / side), "shape \(shape): row \(p / side) is off centre")
            }
        }
    }

    func testScaleGrowsTheObjectsArea() {
        for shape in 0..<4 {
            let areas = (0..<8).map { objectMask(shape: shape, scale: $0, orientation: 7).count }
            XCTAssertEqual(areas, areas.sorted(), "shape \(shape): \(areas)")
            XCTAssertGreaterThan(Double(areas[7]) / Double(areas[0]), 2.0, "shape \(shape): \(areas)")
        }
    }

    func testEachShapeHasItsOwnSilhouette() {
        let masks = (0..<4).map { Set(objectMask(shape: $0, scale: 6, orientation: 3)) }
        for a in 0..<4 { for b in (a + 1)..<4 {
            XCTAssertGreaterThan(masks[a].symmetricDifference(masks[b]).count, 25, "shapes \(a) and \(b)")
        } }
    }

    func testOrientationTiltsTheWallFloorEdgeAndReshadesTheObject() {
        // Edge row = first row from the top whose pixel changes with the floor hue.
        func edgeRow(column: Int, orientation: Int) -> Int {
            let changed = Set(changedPixels([0, 5, 2, 0, 0, orientation], factor: 0, to: 6))
            return (0..<side).first { changed.contains($0 * side + column) }!
        }
        let level = (edgeRow(column: 2, orientation: 7), edgeRow(column: 61, orientation: 7))
        XCTAssertLessThanOrEqual(abs(level.0 - level.1), 1, "level at 0°: \(level)")
        let left = (edgeRow(column: 2, orientation: 0), edgeRow(column: 61, orientation: 0))
        let right = (edgeRow(column: 2, orientation: 14), edgeRow(column: 61, orientation: 14))
        XCTAssertGreaterThanOrEqual(abs(left.0 - left.1), 4, "tilted at −30°: \(left)")
        XCTAssertEqual((left.0 - left.1).signum(), -(right.0 - right.1).signum(), "opposite tilts: \(left) \(right)")
        // The cube's faces turn with the camera: where both views see the cube, the shade differs.
        let a = image([0, 0, 3, 4, 0, 0]), b = image([0, 0, 3, 4, 0, 14])
        let both = Set(objectMask(shape: 0, scale: 4, orientation: 0)).intersection(objectMask(shape: 0, scale: 4, orientation: 14))
        let meanChange = both.map { p in (0..<3).map { abs(a[$0 * plane + p] - b[$0 * plane + p]) }.reduce(0, +) / 3 }
            .reduce(0, +) / Float(both.count)
        XCTAssertGreaterThan(both.count, 100)
        XCTAssertGreaterThan(meanChange, 0.05, "object shading change \(meanChange)")
    }

    // MARK: - Helpers

    private func image(_ factors: [Int]) -> [Float] { dataset.image(factors: factors).data }

    /// Pixel indices (y·64 + x) whose colour changes when `factor` is set to `value`.
    private func changedPixels(_ factors: [Int], factor: Int, to value: Int) -> [Int] {
        var other = factors
        other[factor] = value
        let a = image(factors), b = image(other)
        return (0..<plane).filter { p in (0..<3).contains { abs(a[$0 * plane + p] - b[$0 * plane + p]) > 1e-6 } }
    }

    private func objectMask(shape: Int, scale: Int, orientation: Int) -> [Int] {
        changedPixels([1, 4, 0, scale, shape, orientation], factor: 2, to: 5)
    }

    private func fnv1a(_ values: [Float]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in values {
            var bits = v.bitPattern
            for _ in 0..<4 { hash = (hash ^ UInt64(bits & 0xff)) &* 0x100_0000_01b3; bits >>= 8 }
        }
        return hash
    }
}

import Foundation
import QLXCore
import QLXData
import QLXModel
import QLXModelTestSupport
import QLXTestSupport
import XCTest

/// Without `--from`, `qlx traverse` starts from a sample in which every factor's change shows:
/// a centred, good-sized sprite; scenes whose floor, wall and object colours lie furthest apart
/// (the earlier default picked a red object on a red wall). The write note names the sample
/// and its factor values, and the figure's title names the sample.
final class TraverseDefaultBaseTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory("traverse-base")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A random-init model of `config`'s shape; the default base depends only on the dataset.
    func checkpoint(_ config: QLAEConfig) throws -> String {
        let path = directory.appendingPathComponent("\(config.dataset.name).safetensors").path
        try Checkpoint(model: QLAE(config: config, seed: 5)).write(to: path)
        return path
    }

    /// Runs `qlx traverse CHECKPOINT --png` without --from; the sample its note names, and
    /// the note's text after the sample ("shape heart, scale 5, …").
    func defaultBase(_ path: String) throws -> (sample: Int, factors: String) {
        let png = directory.appendingPathComponent("figure.png").path
        let run = try QLXBinary.run(["traverse", path, "--png", png, "--scale", "1", "--latent", "0"], environment: ["LANG": "C.UTF-8"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: png))
        guard let range = run.stderr.range(of: "from sample ") else {
            XCTFail("the note names the start: \(run.stderr)")
            return (-1, "")
        }
        let rest = run.stderr[range.upperBound...]
        let digits = rest.prefix { $0.isNumber }
        let factors = rest.dropFirst(digits.count + 2).prefix { $0 != ")" }
        return (Int(digits) ?? -1, String(factors))
    }

    func testSpritesStartFromACentredSpriteOfAtLeastMiddleScale() throws {
        let dataset = try Datasets.named("sprites")
        let config = tinySpritesConfig(encoderWidths: [4, 4], decoderWidths: [4, 4], dense: 8, latents: 2, values: 3)
        let base = try defaultBase(try checkpoint(config))
        let factors = try dataset.checkedFactors(at: base.sample)
        XCTAssertEqual(factors[3], 16, "posX in the middle of 0…31")
        XCTAssertEqual(factors[4], 16, "posY in the middle of 0…31")
        XCTAssertGreaterThanOrEqual(factors[1], 3, "scale at least the middle of 0…5")
        XCTAssertEqual(base.factors, zip(dataset.factorNames, factors.indices).map { name, f in
            "\(name) \(dataset.valueName(factor: f, value: factors[f]))"
        }.joined(separator: ", "))
        // The sprite covers more of the image than sample 0's (a small square in a corner).
        let images = try dataset.images(at: [0, base.sample])
        let lit = (0..<2).map { n in images.data[(n * 4096)..<((n + 1) * 4096)].filter { $0 > 0.5 }.count }
        XCTAssertGreaterThan(lit[1], 2 * lit[0], "lit pixels \(lit)")
    }

    func testScenesStartFromTheFloorWallAndObjectColoursFurthestApart() throws {
        let dataset = ScenesDataset()
        var config = tinySpritesConfig(encoderWidths: [4, 4], decoderWidths: [4, 4], dense: 8, latents: 2, values: 3)
        config.image = dataset.imageShape
        config.dataset = dataset.info
        let base = try defaultBase(try checkpoint(config))
        let factors = try dataset.checkedFactors(at: base.sample)
        XCTAssertTrue(base.factors.hasPrefix("floorHue \(factors[0]), wallHue \(factors[1]), objectHue \(factors[2])"), base.factors)

        // Independently: the hue triple whose closest pair is furthest apart in RGB.
        func distance(_ a: Int, _ b: Int) -> Double {
            let p = SceneRenderer.hueColour(a), q = SceneRenderer.hueColour(b)
            return sqrt(Double((p.r - q.r) * (p.r - q.r) + (p.g - q.g) * (p.g - q.g) + (p.b - q.b) * (p.b - q.b)))
        }
        func closest(_ hues: [Int]) -> Double { min(distance(hues[0], hues[1]), distance(hues[0], hues[2]), distance(hues[1], hues[2])) }
        var best = 0.0
        for a in 0..<10 { for b in 0..<10 { for c in 0..<10 { best = max(best, closest([a, b, c])) } } }
        XCTAssertEqual(closest(Array(factors[0..<3])), best, accuracy: 1e-5, "hues \(factors[0..<3])")
        XCTAssertGreaterThan(best, 0.8)

        // The object stands out in the image: its pixels (those that change with the object's
        // hue) are far from the mean colour of the wall's and of the floor's.
        var other = factors
        other[2] = (factors[2] + 5) % 10
        let images = try dataset.images(at: [base.sample, dataset.index(of: other)])
        let plane = 64 * 64
        func rgb(_ n: Int, _ i: Int) -> [Float] { (0..<3).map { images.data[n * 3 * plane + $0 * plane + i] } }
        let object = (0..<plane).filter { i in zip(rgb(0, i), rgb(1, i)).contains { abs($0 - $1) > 0.1 } }
        XCTAssertGreaterThan(object.count, 64 * 64 / 50, "an object of at least 2% of the image")
        XCTAssertGreaterThanOrEqual(factors[3], 2, "not among the smallest scales")
        let mean = object.reduce([Float](repeating: 0, count: 3)) { sum, i in zip(sum, rgb(0, i)).map { $0 + $1 } }
            .map { $0 / Float(object.count) }
        for (surface, hue) in [("wall", factors[1]), ("floor", factors[0])] {
            let c = SceneRenderer.hueColour(hue)
            let d = zip(mean, [c.r, c.g, c.b]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
            XCTAssertGreaterThan(d, 0.3, "object mean \(mean) against the \(surface)")
        }
    }
}

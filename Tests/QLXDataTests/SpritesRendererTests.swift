import Foundation
import XCTest
import QLXCore
import QLXData

/// The factors move the sprite as their names say, and drawing is bit-for-bit reproducible.
final class SpritesRendererTests: XCTestCase {
    let dataset = SpritesDataset()

    /// 64×64 mask of one factor tuple.
    func mask(_ factors: [Int]) -> [Float] { dataset.image(factors: factors).data }

    struct Moments { var area: Double; var x: Double; var y: Double; var axisAngle: Double }

    /// Area, centroid (pixel centres, y down) and the principal-axis angle measured
    /// counter-clockwise on screen, in [0, π).
    func moments(_ pixels: [Float]) -> Moments {
        var area = 0.0, sx = 0.0, sy = 0.0
        for y in 0..<64 { for x in 0..<64 where pixels[y * 64 + x] > 0 {
            area += 1; sx += Double(x) + 0.5; sy += Double(y) + 0.5
        } }
        let mx = sx / area, my = sy / area
        var cxx = 0.0, cyy = 0.0, cxy = 0.0
        for y in 0..<64 { for x in 0..<64 where pixels[y * 64 + x] > 0 {
            let dx = Double(x) + 0.5 - mx, dy = -(Double(y) + 0.5 - my)   // dy up
            cxx += dx * dx; cyy += dy * dy; cxy += dx * dy
        } }
        var angle = 0.5 * atan2(2 * cxy, cxx - cyy)
        if angle < 0 { angle += .pi }
        return Moments(area: area, x: mx, y: my, axisAngle: angle)
    }

    func testPosXMovesTheCentroidRight() {
        var previous = -1.0
        for posX in 0..<32 {
            let m = moments(mask([0, 3, 0, posX, 10]))
            XCTAssertGreaterThan(m.x, previous + 0.5, "posX \(posX)")
            previous = m.x
        }
        XCTAssertEqual(moments(mask([0, 3, 0, 0, 10])).x, 13.5, accuracy: 0.6)
        XCTAssertEqual(moments(mask([0, 3, 0, 31, 10])).x, 50.5, accuracy: 0.6)
    }

    func testPosYMovesTheCentroidDown() {
        var previous = -1.0
        for posY in 0..<32 {
            let m = moments(mask([1, 3, 0, 7, posY]))
            XCTAssertGreaterThan(m.y, previous + 0.5, "posY \(posY)")   // row index grows downwards
            previous = m.y
            XCTAssertEqual(m.x, moments(mask([1, 3, 0, 7, 0])).x, accuracy: 0.2)   // sub-pixel rasterisation jitter
        }
    }

    func testScaleGrowsTheArea() {
        for shape in 0..<3 {
            var previous = 0.0
            for scale in 0..<6 {
                let area = moments(mask([shape, scale, 5, 16, 16])).area
                XCTAssertGreaterThan(area, previous * 1.1, "shape \(shape) scale \(scale)")
                previous = area
            }
        }
        // The largest square at orientation 0 is 18 px wide (18 or 19 pixels after rasterising).
        XCTAssertTrue((324...361).contains(moments(mask([0, 5, 0, 16, 16])).area))
    }

    func testOrientationTurnsTheEllipseCounterClockwise() {
        for orientation in 0..<40 {
            let theta = 2 * Double.pi * Double(orientation) / 39
            var expected = theta.truncatingRemainder(dividingBy: .pi)
            if expected > .pi - 0.05 { expected -= .pi }
            var found = moments(mask([1, 5, orientation, 16, 16])).axisAngle
            if found > .pi - 0.05 { found -= .pi }
            XCTAssertEqual(found, expected, accuracy: 0.07, "orientation \(orientation)")
        }
        // dSprites includes both ends of 0…2π: the first and last orientations coincide.
        XCTAssertEqual(mask([2, 5, 0, 9, 20]), mask([2, 5, 39, 9, 20]))
        XCTAssertNotEqual(mask([2, 5, 0, 9, 20]), mask([2, 5, 10, 9, 20]))
    }

    func testHeartPointsDownAtOrientationZero() {
        // Lobes up, tip down: more of the heart lies above its bounding-box centre.
        let m = moments(mask([2, 5, 0, 16, 16]))
        XCTAssertLessThan(m.y, SpritesRenderer.centre(16))
    }

    func testShapeChangesTheMask() {
        let areas = (0..<3).map { moments(mask([$0, 5, 0, 16, 16])).area }
        XCTAssertGreaterThan(areas[0], areas[2])   // square > heart > ellipse
        XCTAssertGreaterThan(areas[2], areas[1])
        XCTAssertNotEqual(mask([0, 2, 7, 3, 4]), mask([1, 2, 7, 3, 4]))
        XCTAssertNotEqual(mask([1, 2, 7, 3, 4]), mask([2, 2, 7, 3, 4]))
    }

    func testEverySpriteStaysInsideTheCanvas() {
        for shape in 0..<3 { for orientation in 0..<40 { for (px, py) in [(0, 0), (0, 31), (31, 0), (31, 31)] {
            let pixels = mask([shape, 5, orientation, px, py])
            for i in 0..<64 {
                let border = pixels[i] + pixels[63 * 64 + i] + pixels[i * 64] + pixels[i * 64 + 63]
                XCTAssertEqual(border, 0, "shape \(shape) orientation \(orientation) at (\(px), \(py))")
            }
        } } }
    }

    /// An independent rasteriser: the textbook rotation per sub-sample with Foundation's cos/sin.
    func referenceMask(_ f: [Int]) -> [Float] {
        let h = 9 * (0.5 + 0.1 * Double(f[1])), theta = 2 * Double.pi * Double(f[2]) / 39
        let cx = 13.5 + 37 * Double(f[3]) / 31, cy = 13.5 + 37 * Double(f[4]) / 31
        var out = [Float](repeating: 0, count: 4096)
        for y in 0..<64 { for x in 0..<64 {
            var hits = 0
            for sy in [0.25, 0.75] { for sx in [0.25, 0.75] {
                let dx = Double(x) + sx - cx, up = cy - (Double(y) + sy)
                let u = (cos(theta) * dx + sin(theta) * up) / h, v = (-sin(theta) * dx + cos(theta) * up) / h
                let inside: Bool
                switch f[0] {
                case 0: inside = abs(u) <= 1 && abs(v) <= 1
                case 1: inside = u * u + 4 * v * v <= 1
                default:
                    let hx = u * 1.139, hy = v * 1.118 + 0.118
                    inside = pow(hx * hx + hy * hy - 1, 3) <= hx * hx * pow(hy, 3)
                }
                if inside { hits += 1 }
            } }
            if hits >= 2 { out[y * 64 + x] = 1 }
        } }
        return out
    }

    func testRendererAgreesWithAPlainReference() {
        for index in sampleIndices(count: 60, of: dataset.count, seed: 9) {
            let f = dataset.factors(at: index)
            let fast = dataset.images(at: [index]).data, reference = referenceMask(f)
            let differing = zip(fast, reference).filter { $0 != $1 }.count
            XCTAssertLessThanOrEqual(differing, 1, "factors \(f)")   // only exact ties on an edge may differ
        }
    }

    /// FNV-1a over the pixel bits of a few images: any change to the drawing shows here.
    func checksum(_ pixels: [Float]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for p in pixels { hash = (hash ^ UInt64(p.bitPattern)) &* 0x100_0000_01b3 }
        return hash
    }

    func testRenderingIsReproducible() {
        let probes = [[0, 0, 0, 0, 0], [1, 5, 13, 31, 2], [2, 3, 27, 12, 19], [2, 5, 39, 31, 31], [0, 4, 5, 20, 9]]
        let found = probes.map { checksum(mask($0)) }
        let areas = probes.map { Int(moments(mask($0)).area) }
        XCTAssertEqual(found, Self.goldenChecksums)
        XCTAssertEqual(areas, Self.goldenAreas)
    }

    static let goldenChecksums: [UInt64] = [2_137_456_028_684_084_005, 11_480_908_900_345_799_461,
                                            16_023_516_901_933_802_277, 13_338_232_839_288_349_477,
                                            5_027_404_895_691_170_597]
    static let goldenAreas = [81, 131, 150, 242, 263]
}

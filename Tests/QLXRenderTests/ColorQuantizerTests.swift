import XCTest
import QLXRender

final class ColorQuantizerTests: XCTestCase {
    /// The 240 image colours of the xterm palette, written out independently of Palette256.
    static let referencePalette: [(index: Int, rgb: (Int, Int, Int))] = {
        let levels = [0, 95, 135, 175, 215, 255]
        var entries: [(Int, (Int, Int, Int))] = []
        for r in 0..<6 { for g in 0..<6 { for b in 0..<6 {
            entries.append((16 + 36 * r + 6 * g + b, (levels[r], levels[g], levels[b])))
        } } }
        for k in 0..<24 { entries.append((232 + k, (8 + 10 * k, 8 + 10 * k, 8 + 10 * k))) }
        return entries
    }()

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        (a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1) + (a.2 - b.2) * (a.2 - b.2)
    }

    func testCubeLevelsSwitchAtTheMidpoints() {
        let expected: [(UInt8, Int)] = [(0, 0), (47, 0), (48, 1), (95, 1), (114, 1), (115, 2), (154, 2),
                                        (155, 3), (194, 3), (195, 4), (234, 4), (235, 5), (255, 5)]
        for (value, level) in expected {
            XCTAssertEqual(Palette256.cubeLevelIndex(value), level, "channel value \(value)")
        }
    }

    /// A decoder with extreme (finite) weights can output NaN; converting it to a byte trapped.
    func testChannelBytesAreClampedAndNaNIsZero() {
        XCTAssertEqual([Float.nan, -.infinity, -1, 0, 0.5, 1, 2, .infinity].map(ColorQuantizer.byte), [0, 0, 0, 0, 128, 255, 255, 255])
    }

    func testMidGrayUsesTheGrayRampNotTheCube() {
        // 128 is 7 from the cube's 135 but exactly ramp step 12 (8 + 120).
        XCTAssertEqual(Palette256.nearest(128, 128, 128), 244)
        // 100: cube 95 (error 75) loses to ramp 98 (error 12).
        XCTAssertEqual(Palette256.nearest(100, 100, 100), 241)
        // Black and white are cube corners; near-black 3 is nearer 0 than ramp 8, 5 is not.
        XCTAssertEqual(Palette256.nearest(0, 0, 0), 16)
        XCTAssertEqual(Palette256.nearest(255, 255, 255), 231)
        XCTAssertEqual(Palette256.nearest(3, 3, 3), 16)
        XCTAssertEqual(Palette256.nearest(5, 5, 5), 232)
        XCTAssertEqual(Palette256.nearest(255, 0, 0), 196)
    }

    func testGrayImagesGetThirtyDistinctGrays() {
        let grays = Set((0...255).map { Palette256.nearest(UInt8($0), UInt8($0), UInt8($0)) })
        XCTAssertEqual(grays.count, 30)
    }

    func testNearestMatchesABruteForceSearchOfThePalette() {
        var state: UInt64 = 12345
        func nextByte() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 56)
        }
        var colors = (0...255).map { ($0, $0, $0) }
        for _ in 0..<5000 { colors.append((nextByte(), nextByte(), nextByte())) }
        for c in colors {
            let best = Self.referencePalette.map { Self.distance($0.rgb, c) }.min()!
            let chosen = Palette256.nearest(UInt8(c.0), UInt8(c.1), UInt8(c.2))
            XCTAssertGreaterThanOrEqual(chosen, 16)
            let rgb = Palette256.rgb(ofIndex: chosen)
            XCTAssertEqual(Self.distance((Int(rgb.0), Int(rgb.1), Int(rgb.2)), c), best, "colour \(c) → \(chosen)")
        }
    }

    func testPaletteRGBRoundTripsEveryImageIndex() {
        for entry in Self.referencePalette {
            let rgb = Palette256.rgb(ofIndex: UInt8(entry.index))
            XCTAssertEqual([rgb.0, rgb.1, rgb.2], [UInt8(entry.rgb.0), UInt8(entry.rgb.1), UInt8(entry.rgb.2)], "index \(entry.index)")
            XCTAssertEqual(Palette256.nearest(rgb.0, rgb.1, rgb.2), UInt8(entry.index))
        }
    }

    func testSystemPaletteNearest() {
        XCTAssertEqual(SystemPalette.nearest(250, 10, 10, count: 16), 9)    // bright red
        XCTAssertEqual(SystemPalette.nearest(250, 10, 10, count: 8), 1)     // red
        XCTAssertEqual(SystemPalette.nearest(130, 130, 130, count: 16), 8)
        XCTAssertEqual(SystemPalette.nearest(255, 255, 255, count: 8), 7)
    }

    func testQuantizeAtEachDepth() {
        XCTAssertEqual(ColorQuantizer.quantize(1, 0.5, 0, depth: .trueColor), .rgb(255, 128, 0))
        XCTAssertEqual(ColorQuantizer.quantize(0.5, 0.5, 0.5, depth: .palette256), .indexed(244))
        XCTAssertEqual(ColorQuantizer.quantize(0.4, 0.4, 1, depth: .palette16), .indexed(12))
        XCTAssertEqual(ColorQuantizer.quantize(0.4, 0.4, 1, depth: .palette8), .indexed(4))
        XCTAssertEqual(ColorQuantizer.quantize(0.3, 0.2, 0.1, depth: .none), .default)
    }

    func testConvertBetweenDepths() {
        XCTAssertEqual(ColorQuantizer.convert(.rgb(128, 128, 128), to: .palette256), .indexed(244))
        XCTAssertEqual(ColorQuantizer.convert(.indexed(244), to: .trueColor), .rgb(128, 128, 128))
        XCTAssertEqual(ColorQuantizer.convert(.indexed(196), to: .palette8), .indexed(1))
        XCTAssertEqual(ColorQuantizer.convert(.indexed(3), to: .trueColor), .indexed(3))
        XCTAssertEqual(ColorQuantizer.convert(.indexed(3), to: .none), .default)
    }
}

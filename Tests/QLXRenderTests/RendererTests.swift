import XCTest
import QLXRender

/// A gray image from a function of the pixel centre.
func grayImage(width: Int, height: Int, _ f: (Int, Int) -> Float) -> RenderImage {
    var pixels: [Float] = []
    for y in 0..<height { for x in 0..<width { pixels.append(f(x, y)) } }
    return RenderImage(width: width, height: height, channels: 1, pixels: pixels)
}

/// A white disc of radius 6 centred in a black 16×16 image.
func disc(_ x: Int, _ y: Int) -> Bool {
    let dx = Double(x) + 0.5 - 8, dy = Double(y) + 0.5 - 8
    return dx * dx + dy * dy < 36
}

let discImage = grayImage(width: 16, height: 16) { disc($0, $1) ? 1 : 0 }

final class RendererTests: XCTestCase {
    func testFitCellsKeepsTheAspectRatioOfTallCells() {
        /// Width and height of the cells `fitCells` gives, comparable with XCTAssertEqual.
        func cells(_ width: Int, _ height: Int, box: (Int, Int), mode: RenderMode) -> [Int] {
            let fit = Renderer.fitCells(imageWidth: width, imageHeight: height, box: box, mode: mode)
            return [fit.width, fit.height]
        }
        XCTAssertEqual(cells(64, 64, box: (32, 16), mode: .halfBlock), [32, 16])
        XCTAssertEqual(cells(64, 64, box: (80, 10), mode: .halfBlock), [20, 10])
        XCTAssertEqual(cells(128, 32, box: (40, 40), mode: .ascii), [40, 5])
        XCTAssertEqual(cells(64, 64, box: (1, 1), mode: .sextant), [1, 1])
        XCTAssertEqual(cells(10, 1000, box: (30, 20), mode: .halfBlock), [1, 20])
    }

    func testHalfBlockDiscWithoutColourSnapshot() {
        let grid = Renderer.render(discImage, width: 16, height: 8, options: RenderOptions(mode: .halfBlock, colors: .none))
        XCTAssertEqual(grid.text, [
            "                ",
            "    ▄▄████▄▄    ",
            "   ██████████   ",
            "  ████████████  ",
            "  ████████████  ",
            "   ██████████   ",
            "    ▀▀████▀▀    ",
            "                ",
        ].joined(separator: "\n"))
        // The same, from the disc's formula: ink where a half is inside.
        for y in 0..<8 {
            for x in 0..<16 {
                let expected: Character
                switch (disc(x, 2 * y), disc(x, 2 * y + 1)) {
                case (false, false): expected = " "
                case (true, true): expected = "█"
                case (true, false): expected = "▀"
                case (false, true): expected = "▄"
                }
                XCTAssertEqual(grid[x, y].character, expected, "cell \(x),\(y)")
            }
        }
    }

    func testHalfBlockDiscIn256ColoursUsesLowerHalfBlocksAndSpaces() {
        let grid = Renderer.render(discImage, width: 16, height: 8, options: RenderOptions(mode: .halfBlock, colors: .palette256))
        for y in 0..<8 {
            for x in 0..<16 {
                let top: TerminalColor = .indexed(disc(x, 2 * y) ? 231 : 16)
                let bottom: TerminalColor = .indexed(disc(x, 2 * y + 1) ? 231 : 16)
                let expected = top == bottom ? Cell(" ", background: top) : Cell("▄", foreground: bottom, background: top)
                XCTAssertEqual(grid[x, y], expected, "cell \(x),\(y)")
            }
        }
    }

    /// The half-block loops (one per depth, gray pixels through a lookup table, halves
    /// compared as packed keys) against the plain rule: each half quantised on its own by
    /// ColorQuantizer.quantize, a space with that background when both agree. The images
    /// have exactly 1×2 pixels per cell, so no resampling blurs the cases: random colours,
    /// every byte level of gray (in pairs, so equal and unequal halves both occur), and
    /// values outside [0, 1].
    func testHalfBlockCellsMatchPerPixelQuantisationAtEveryDepth() {
        var state: UInt64 = 11
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 1.2 - 0.1
        }
        let colour = RenderImage(width: 16, height: 12, channels: 3, pixels: (0..<(16 * 12 * 3)).map { _ in next() })
        // Gray 0…255 and their midpoints: byte rounding boundaries fall on both sides.
        let grays = (0..<256).flatMap { [Float($0) / 255, (Float($0) + 0.5) / 255] }
        let gray = RenderImage(width: 32, height: 16, channels: 1, pixels: grays)
        for image in [colour, gray] {
            // (Gray images at 8 colours are shade characters: the next test.)
            for depth in [ColorDepth.trueColor, .palette256, .palette16, .palette8] where image.channels == 3 || depth != .palette8 {
                let grid = Renderer.render(image, width: image.width, height: image.height / 2,
                                           options: RenderOptions(mode: .halfBlock, colors: depth))
                func quantized(_ x: Int, _ y: Int) -> TerminalColor {
                    let o = (y * image.width + x) * image.channels
                    let (r, g, b) = image.channels == 1 ? (image.pixels[o], image.pixels[o], image.pixels[o])
                                                        : (image.pixels[o], image.pixels[o + 1], image.pixels[o + 2])
                    return ColorQuantizer.quantize(min(max(r, 0), 1), min(max(g, 0), 1), min(max(b, 0), 1), depth: depth)
                }
                for y in 0..<grid.height {
                    for x in 0..<grid.width {
                        let top = quantized(x, 2 * y), bottom = quantized(x, 2 * y + 1)
                        let expected = top == bottom ? Cell(" ", background: top) : Cell("▄", foreground: bottom, background: top)
                        XCTAssertEqual(grid[x, y], expected, "\(depth) \(image.channels) channels, cell \(x),\(y)")
                    }
                }
            }
        }
    }

    func testGrayImagesAt8ColoursAreShadesWithoutYellow() {
        let ramp = grayImage(width: 16, height: 8) { x, _ in Float(x) / 15 }
        let grid = Renderer.render(ramp, width: 16, height: 4, options: RenderOptions(mode: .halfBlock, colors: .palette8))
        XCTAssertEqual(grid, Renderer.render(ramp, width: 16, height: 4, options: RenderOptions(mode: .halfBlock, colors: .none)))
        XCTAssertTrue(grid.cells.allSatisfy { $0.foreground == .default && $0.background == .default })
        XCTAssertEqual(Set(grid.text.filter { $0 != "\n" }), Set(" ░▒▓█"), grid.text)
        // A colour image keeps the 8 colours.
        let red = RenderImage(width: 2, height: 2, channels: 3, pixels: [Float](repeating: 0, count: 12).enumerated().map { $0.offset % 3 == 0 ? 1 : 0 })
        XCTAssertNotEqual(Renderer.render(red, width: 2, height: 1, options: RenderOptions(mode: .halfBlock, colors: .palette8))[0, 0].background, .default)
    }

    func testAsciiRampOfAGradient() {
        let gradient = grayImage(width: 10, height: 1) { x, _ in (Float(x) + 0.5) / 10 }
        let ascii = Renderer.render(gradient, width: 10, height: 1, options: RenderOptions(mode: .ascii, colors: .none))
        XCTAssertEqual(ascii.text, " .:-=+*#%@")
        let inverted = Renderer.render(gradient, width: 10, height: 1, options: RenderOptions(mode: .asciiInverted, colors: .none))
        XCTAssertEqual(inverted.text, "@%#*+=-:. ")
        XCTAssertTrue(ascii.cells.allSatisfy { $0.foreground == .default && $0.background == .default })
    }

    func testAsciiDiscSnapshotAveragesAreas() {
        // 16×16 into 8×4 cells: each cell averages a 2×4 block of the disc.
        let grid = Renderer.render(discImage, width: 8, height: 4, options: RenderOptions(mode: .ascii, colors: .none))
        let ramp = Array(" .:-=+*#%@")
        for y in 0..<4 {
            for x in 0..<8 {
                var inside = 0
                for dy in 0..<4 { for dx in 0..<2 where disc(2 * x + dx, 4 * y + dy) { inside += 1 } }
                XCTAssertEqual(grid[x, y].character, ramp[min(9, inside * 10 / 8)], "cell \(x),\(y)")
            }
        }
    }

    func testAreaAveragingWithFractionalCoverage() {
        // Three pixels 0, 0.3, 0.9 into two: (0 + 0.3/2)/1.5 and (0.3/2 + 0.9)/1.5.
        let image = RenderImage(width: 3, height: 1, channels: 1, pixels: [0, 0.3, 0.9])
        let grid = Renderer.render(image, width: 2, height: 1, options: RenderOptions(mode: .ascii, colors: .trueColor))
        XCTAssertEqual(grid[0, 0].foreground, ColorQuantizer.quantize(0.1, 0.1, 0.1, depth: .trueColor))
        XCTAssertEqual(grid[1, 0].foreground, ColorQuantizer.quantize(0.7, 0.7, 0.7, depth: .trueColor))
    }

    /// Area averaging against exact integration of the piecewise-constant image (plain
    /// loops over every source pixel), for uneven ratios on both axes, RGB, both shrinking
    /// and enlarging.
    func testAreaAveragingMatchesExactIntegration() {
        var state: UInt64 = 7
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        let image = RenderImage(width: 7, height: 5, channels: 3, pixels: (0..<105).map { _ in next() })
        for (ow, oh) in [(3, 4), (2, 2), (11, 8), (7, 5), (1, 1)] {
            let grid = Renderer.render(image, width: ow, height: oh, options: RenderOptions(mode: .ascii, colors: .trueColor))
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let x0 = Double(ox) * 7 / Double(ow), x1 = Double(ox + 1) * 7 / Double(ow)
                    let y0 = Double(oy) * 5 / Double(oh), y1 = Double(oy + 1) * 5 / Double(oh)
                    var sum: [Double] = [0, 0, 0]
                    for sy in 0..<5 {
                        for sx in 0..<7 {
                            let overlap = max(0, min(x1, Double(sx + 1)) - max(x0, Double(sx)))
                                * max(0, min(y1, Double(sy + 1)) - max(y0, Double(sy)))
                            for c in 0..<3 { sum[c] += overlap * Double(image.pixels[(sy * 7 + sx) * 3 + c]) }
                        }
                    }
                    let expected = sum.map { Int(($0 / ((x1 - x0) * (y1 - y0)) * 255).rounded()) }
                    guard case let .rgb(r, g, b) = grid[ox, oy].foreground else { return failNotRGB(grid[ox, oy]) }
                    for (actual, wanted) in zip([Int(r), Int(g), Int(b)], expected) {
                        XCTAssertEqual(actual, wanted, accuracy: 1, "\(ow)×\(oh) pixel \(ox),\(oy)")
                    }
                }
            }
        }
    }

    func failNotRGB(_ cell: Cell) { XCTFail("expected an RGB foreground, found \(cell.foreground)") }

    func testEnlargingRepeatsPixels() {
        let image = RenderImage(width: 2, height: 1, channels: 3, pixels: [1, 0, 0, 0, 0, 1])
        let grid = Renderer.render(image, width: 4, height: 1, options: RenderOptions(mode: .halfBlock, colors: .trueColor))
        XCTAssertEqual(grid.cells.map(\.background), [.rgb(255, 0, 0), .rgb(255, 0, 0), .rgb(0, 0, 255), .rgb(0, 0, 255)])
        XCTAssertEqual(grid.text, "    ")
    }

    func testQuadrantPicksTheLeastErrorSplit() {
        // Upper row black, lower row white → lower half block, white on black.
        let halves = RenderImage(width: 2, height: 2, channels: 1, pixels: [0, 0, 1, 1])
        let cell = Renderer.render(halves, width: 1, height: 1, options: RenderOptions(mode: .quadrant, colors: .trueColor))[0, 0]
        XCTAssertEqual(cell, Cell("▄", foreground: .rgb(255, 255, 255), background: .rgb(0, 0, 0)))
        // Anti-diagonal white, with one gray: groups {0.2, 0} and {1, 0.8}.
        let diagonal = RenderImage(width: 2, height: 2, channels: 1, pixels: [0.2, 1, 0.8, 0])
        let d = Renderer.render(diagonal, width: 1, height: 1, options: RenderOptions(mode: .quadrant, colors: .trueColor))[0, 0]
        XCTAssertEqual(d, Cell("▞", foreground: .rgb(230, 230, 230), background: .rgb(26, 26, 26)))
        // A flat cell is a space with a background.
        let flat = RenderImage(width: 2, height: 2, channels: 1, pixels: [0.5, 0.5, 0.5, 0.5])
        XCTAssertEqual(Renderer.render(flat, width: 1, height: 1, options: RenderOptions(mode: .quadrant, colors: .palette256))[0, 0],
                       Cell(" ", background: .indexed(244)))
    }

    func testSextantCharactersFollowUnicodeNumbering() {
        // Only the upper-right pixel lit: BLOCK SEXTANT-2.
        let corner = RenderImage(width: 2, height: 3, channels: 1, pixels: [0, 1, 0, 0, 0, 0])
        XCTAssertEqual(Renderer.render(corner, width: 1, height: 1, options: RenderOptions(mode: .sextant, colors: .none))[0, 0].character,
                       "\u{1FB01}")
        // Left column lit: pixel 0 stays background, so the right column is inked in black.
        let left = RenderImage(width: 2, height: 3, channels: 1, pixels: [1, 0, 1, 0, 1, 0])
        XCTAssertEqual(Renderer.render(left, width: 1, height: 1, options: RenderOptions(mode: .sextant, colors: .palette256))[0, 0],
                       Cell("▐", foreground: .indexed(16), background: .indexed(231)))
        // Pixels 2, 3, 5 (BLOCK SEXTANT-346) lit, without colour.
        let shape = RenderImage(width: 2, height: 3, channels: 1, pixels: [0, 0, 1, 1, 0, 1])
        XCTAssertEqual(Renderer.render(shape, width: 1, height: 1, options: RenderOptions(mode: .sextant, colors: .none))[0, 0].character,
                       Character(Unicode.Scalar(0x1FB00 + 44 - 1 - 1 - 1)!))
    }

    /// The solver's split must be as good as the best of all 2^6 assignments, found here by
    /// brute force from the definition (sum of squared distances to the group means).
    func testSextantSplitIsOptimalAgainstBruteForce() {
        var state: UInt64 = 99
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        for trial in 0..<200 {
            let pixels = (0..<18).map { _ in next() }
            let image = RenderImage(width: 2, height: 3, channels: 3, pixels: pixels)
            let cell = Renderer.render(image, width: 1, height: 1, options: RenderOptions(mode: .sextant, colors: .trueColor))[0, 0]
            func color(_ k: Int) -> [Float] { Array(pixels[(k * 3)..<(k * 3 + 3)]) }
            func error(_ ink: Set<Int>) -> Float {
                var total: Float = 0
                for group in [ink, Set(0..<6).subtracting(ink)] where !group.isEmpty {
                    var mean: [Float] = [0, 0, 0]
                    for k in group { for c in 0..<3 { mean[c] += color(k)[c] / Float(group.count) } }
                    for k in group { for c in 0..<3 { total += (color(k)[c] - mean[c]) * (color(k)[c] - mean[c]) } }
                }
                return total
            }
            let best = (0..<64).map { p in error(Set((0..<6).filter { p & (1 << $0) != 0 })) }.min()!
            let chosenInk = Self.sextantInk(cell.character)
            XCTAssertEqual(error(chosenInk), best, accuracy: 1e-4, "trial \(trial)")
        }
    }

    /// Inked pixels of a sextant-mode character, from its code point.
    static func sextantInk(_ c: Character) -> Set<Int> {
        let pattern: Int
        switch c {
        case " ": pattern = 0
        case "▌": pattern = 21
        case "▐": pattern = 42
        case "█": pattern = 63
        default:
            var p = Int(c.unicodeScalars.first!.value) - 0x1FB00 + 1
            if p >= 21 { p += 1 }
            if p >= 42 { p += 1 }
            pattern = p
        }
        return Set((0..<6).filter { pattern & (1 << $0) != 0 })
    }

    func testOrderedDitherInksHalfOfAFlatMidGray() {
        let gray = grayImage(width: 8, height: 8) { _, _ in 0.5 }
        let plain = Renderer.render(gray, width: 4, height: 4, options: RenderOptions(mode: .quadrant, colors: .none))
        XCTAssertTrue(plain.cells.allSatisfy { $0.character == "█" })
        let dithered = Renderer.render(gray, width: 4, height: 4, options: RenderOptions(mode: .quadrant, colors: .none, dither: true))
        let quadrantInk: [Character: Int] = [" ": 0, "▘": 1, "▝": 1, "▀": 2, "▖": 1, "▌": 2, "▞": 2, "▛": 3,
                                             "▗": 1, "▚": 2, "▐": 2, "▜": 3, "▄": 2, "▙": 3, "▟": 3, "█": 4]
        XCTAssertEqual(dithered.cells.map { quadrantInk[$0.character]! }.reduce(0, +), 32)
        // The 4×4 Bayer matrix thresholds a flat half-gray into a checkerboard.
        XCTAssertEqual(dithered.text, ["▞▞▞▞", "▞▞▞▞", "▞▞▞▞", "▞▞▞▞"].joined(separator: "\n"))
    }

    func testHalfBlockWithoutColourShadesGrays() {
        let grays = grayImage(width: 5, height: 2) { x, _ in Float(x) / 4 }
        let grid = Renderer.render(grays, width: 5, height: 1, options: RenderOptions(mode: .halfBlock, colors: .none))
        XCTAssertEqual(grid.text, " ░▒▓█")
    }
}

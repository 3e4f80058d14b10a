import XCTest
import QLXRender

final class ANSITests: XCTestCase {
    /// Two rows: white-on-black lower halves and a black space; plain, red, bold bright red.
    let grid: CellGrid = {
        var g = CellGrid(width: 3, height: 2)
        g[0, 0] = Cell("▄", foreground: .indexed(231), background: .indexed(16))
        g[1, 0] = Cell("▄", foreground: .indexed(231), background: .indexed(16))
        g[2, 0] = Cell(" ", background: .indexed(16))
        g[0, 1] = Cell("a")
        g[1, 1] = Cell("b", foreground: .indexed(1))
        g[2, 1] = Cell("c", foreground: .indexed(9), bold: true)
        return g
    }()

    func testEncodes256ColoursWithOnlyTheChanges() {
        XCTAssertEqual(ANSI.encode(grid, colors: .palette256),
                       "\u{1B}[38;5;231;48;5;16m▄▄\u{1B}[39m \u{1B}[0m\na\u{1B}[31mb\u{1B}[1;91mc\u{1B}[0m")
    }

    func testEncodesTrueColourFromPaletteIndices() {
        XCTAssertEqual(ANSI.encode(grid, colors: .trueColor),
                       "\u{1B}[38;2;255;255;255;48;2;0;0;0m▄▄\u{1B}[39m \u{1B}[0m\na\u{1B}[31mb\u{1B}[1;91mc\u{1B}[0m")
    }

    func testEightColoursMapToTheBasicCodes() {
        XCTAssertEqual(ANSI.encode(grid, colors: .palette8),
                       "\u{1B}[37;40m▄▄\u{1B}[39m \u{1B}[0m\na\u{1B}[31mb\u{1B}[1mc\u{1B}[0m")
    }

    func testNoColourIsPlainText() {
        XCTAssertEqual(ANSI.encode(grid, colors: .none), "▄▄ \nabc")
    }

    func testAResetIsShorterThanTurningOffSeveralAttributes() {
        // Turning everything on from plain needs no leading 0; turning it all off is "\e[m".
        var g = CellGrid(width: 2, height: 1)
        g[0, 0] = Cell("x", foreground: .rgb(1, 2, 3), background: .rgb(4, 5, 6), bold: true, reverse: true)
        g[1, 0] = Cell("y")
        XCTAssertEqual(ANSI.encode(g, colors: .trueColor),
                       "\u{1B}[1;7;38;2;1;2;3;48;2;4;5;6mx\u{1B}[my")
    }

    func testARunOfEqualCellsCostsOneSequence() {
        let row = CellGrid(width: 40, height: 1, fill: Cell(" ", background: .indexed(244)))
        let text = ANSI.encode(row, colors: .palette256)
        XCTAssertEqual(text, "\u{1B}[48;5;244m" + String(repeating: " ", count: 40) + "\u{1B}[0m")
    }

    func testEveryLineStandsAlone() {
        let image = grayImage(width: 16, height: 16) { x, y in Float(x + y) / 30 }
        let grid = Renderer.render(image, width: 16, height: 8, options: RenderOptions(mode: .halfBlock, colors: .palette256))
        for line in ANSI.encode(grid, colors: .palette256).split(separator: "\n") {
            XCTAssertTrue(line.hasSuffix("\u{1B}[0m"), String(line))
        }
    }
}

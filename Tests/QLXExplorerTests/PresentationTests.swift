import QLXExplorer
import QLXRender
import XCTest

/// Presentation mode, the 2-D sweep, tour speed and the tour's return, and frames that carry
/// pixels (placements instead of cells).
final class PresentationTests: XCTestCase {
    static func gray(_ level: Float, size: Int = 8) -> RenderImage {
        RenderImage(width: size, height: size, channels: 1, pixels: [Float](repeating: level, count: size * size))
    }

    func testEndingATourPutsTheLatentBackWhereItWas() {
        var state = Fixtures.state()
        let before = state.code
        _ = state.handle(.character("t"))
        for _ in 0..<3 { state.advanceTour() }
        XCTAssertNotEqual(state.code, before)
        _ = state.handle(.right)
        XCTAssertNil(state.tour)
        XCTAssertEqual(state.code, before)
    }

    func testSpeedAndSmoothnessChangeWithoutStoppingTheTour() {
        var state = Fixtures.state()
        _ = state.handle(.character("t"))
        let interval = state.tourInterval
        _ = state.handle(.character("+"))
        XCTAssertNotNil(state.tour)
        XCTAssertLessThan(state.tourInterval, interval)
        _ = state.handle(.character("-"))
        _ = state.handle(.character("-"))
        XCTAssertGreaterThan(state.tourInterval, interval)
        _ = state.handle(.character("f"))
        XCTAssertTrue(state.smoothTour)
        XCTAssertNotNil(state.tour)
        XCTAssertEqual(state.nextTourCode.map { $0[0] }, 0, "the fade's target is the tour's next value")
    }

    func testPresentationShowsTheCaptionTheRulerAndOneLargeImage() {
        var state = Fixtures.state()
        state.metrics = Fixtures.metrics
        _ = state.handle(.character("p"))
        XCTAssertTrue(state.presenting)
        let images = ViewImages(preview: Self.gray(0.5), traversal: [])
        let grid = ExplorerView.draw(state, images: images, width: 80, height: 24)
        let lines = grid.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertTrue(lines[21].contains("z0 · shape · value 1/4"), lines[21])
        XCTAssertTrue(lines[22].contains("█") && lines[22].contains("┼"), "the ruler: \(lines[22])")
        // The image fills the rows above: 21 rows, 42 columns at two rows per cell width.
        let imageRows = (0..<21).filter { y in (0..<80).contains { grid[$0, y].background != .default } }
        XCTAssertEqual(imageRows.count, 21)
        _ = state.handle(.escape)
        XCTAssertFalse(state.presenting)
    }

    func testTheCrossFadeMixesTheTwoValues() {
        var state = Fixtures.state(colors: .trueColor)
        state.presenting = true
        let images = ViewImages(preview: Self.gray(0), fade: (Self.gray(1), 0.5))
        state.graphics = .kitty
        state.cellPixels = CellPixels(width: 8, height: 16)
        let frame = ExplorerView.compose(state, images: images, width: 80, height: 24)
        XCTAssertEqual(frame.placements.count, 1)
        XCTAssertEqual(frame.placements[0].image.pixels.first, 0.5)
    }

    func testTheSweepShowsEveryPairOfValuesAndTheArrowsChooseTheLatents() {
        var state = Fixtures.state()
        _ = state.handle(.character("s"))
        XCTAssertEqual(state.sweep, Sweep(rowLatent: 1))
        XCTAssertEqual(state.visibleCodes.count, 16)
        XCTAssertEqual(state.visibleCodes[6], [2, 1, 3], "row 1 (z1 = 1), column 2 (z0 = 2)")
        _ = state.handle(.down)
        XCTAssertEqual(state.sweep, Sweep(rowLatent: 2))
        _ = state.handle(.down)
        XCTAssertEqual(state.sweep, Sweep(rowLatent: 1), "skips the columns' latent")
        _ = state.handle(.right)
        XCTAssertEqual(state.selectedLatent, 2)
        _ = state.handle(.left)
        XCTAssertEqual(state.selectedLatent, 0)
        let images = ViewImages(sweep: state.visibleCodes.map { Self.gray(Float($0[0] + $0[1]) / 8) })
        state.graphics = .sixel
        state.cellPixels = CellPixels(width: 10, height: 20)
        let frame = ExplorerView.compose(state, images: images, width: 100, height: 30)
        XCTAssertEqual(frame.placements.count, 16)
        XCTAssertEqual(Set(frame.placements.map(\.id)).count, 16)
        XCTAssertTrue(frame.grid.text.contains("2-D sweep: z0 (columns) × z1 (rows)"))
        _ = state.handle(.escape)
        XCTAssertNil(state.sweep)
    }

    /// With pixels, the images become placements over cells ncurses cannot clear with an
    /// erase-to-end-of-line (braille blanks); with cells, none.
    func testFramesCarryPlacementsOnlyWhenTheTerminalDrawsPixels() {
        var state = Fixtures.state()
        let images = ViewImages(preview: Self.gray(0.3), original: Self.gray(0.6),
                                traversal: (0..<4).map { Self.gray(Float($0) / 4) })
        XCTAssertTrue(ExplorerView.compose(state, images: images, width: 100, height: 30).placements.isEmpty)
        state.graphics = .kitty
        state.cellPixels = CellPixels(width: 8, height: 16)
        let frame = ExplorerView.compose(state, images: images, width: 100, height: 30)
        XCTAssertEqual(frame.placements.filter { $0.id == 1 }.count, 1, "the preview")
        XCTAssertEqual(frame.placements.filter { $0.id >= 100 }.count, 4, "the thumbnails")
        let preview = frame.placements.first { $0.id == 1 }!
        XCTAssertEqual(preview.pixelWidth % 8, 0, "whole multiples of the 8-pixel image")
        XCTAssertEqual(preview.pixelWidth, preview.pixelHeight)
        for y in preview.rect.y..<preview.rect.maxY {
            for x in preview.rect.x..<preview.rect.maxX { XCTAssertEqual(frame.grid[x, y].character, "\u{2800}") }
        }
        state.showHelp = true
        XCTAssertTrue(ExplorerView.compose(state, images: images, width: 100, height: 30).placements.isEmpty,
                      "no pixels over the help box")
    }

    func testThePainterSendsOnlyWhatChanged() {
        var state = Fixtures.state()
        state.graphics = .sixel
        state.cellPixels = CellPixels(width: 8, height: 16)
        let images = ViewImages(preview: Self.gray(0.3), traversal: (0..<4).map { Self.gray(Float($0) / 4) })
        let painter = GraphicsPainter(graphics: .sixel, tmux: nil, colorRegisters: 256)
        let first = painter.plan(ExplorerView.compose(state, images: images, width: 100, height: 30), full: false)
        XCTAssertEqual(first.sent, 5)
        XCTAssertTrue(first.output.contains("\u{1B}P"))
        let same = painter.plan(ExplorerView.compose(state, images: images, width: 100, height: 30), full: false)
        XCTAssertEqual(same.sent, 0, "an identical frame sends nothing")
        var stepped = images
        stepped.preview = Self.gray(0.7)
        XCTAssertEqual(painter.plan(ExplorerView.compose(state, images: stepped, width: 100, height: 30), full: false).sent, 1)
        XCTAssertEqual(painter.plan(ExplorerView.compose(state, images: stepped, width: 100, height: 30), full: true).sent, 5)
        // A change left of the preview in its rows alone leaves it; changes on both sides of
        // it in one row (ncurses may rewrite the cells between) send it again.
        let base = ExplorerView.compose(state, images: stepped, width: 100, height: 30)
        let preview = base.placements.first { $0.id == 1 }!
        var leftOnly = base
        leftOnly.grid[preview.rect.x - 2, preview.rect.y + 1] = Cell("x")
        XCTAssertEqual(painter.plan(leftOnly, full: false).sent, 0)
        XCTAssertEqual(painter.plan(base, full: false).sent, 0)
        var bothSides = leftOnly
        XCTAssertLessThan(preview.rect.maxX + 1, 100)
        bothSides.grid[preview.rect.maxX + 1, preview.rect.y + 1] = Cell("x")
        XCTAssertEqual(painter.plan(bothSides, full: false).sent, 1)
        XCTAssertEqual(painter.plan(base, full: false).sent, 1, "and again when the cells change back")
        // Help is a view of its own: the screen is cleared of the images (and kitty's deleted).
        state.showHelp = true
        let hidden = painter.plan(ExplorerView.compose(state, images: stepped, width: 100, height: 30), full: false)
        XCTAssertEqual(hidden.sent, 0)
        XCTAssertTrue(hidden.clearsScreen)
        let kitty = GraphicsPainter(graphics: .kitty, tmux: TmuxState(passthrough: true, paneLeft: 3, paneTop: 2),
                                    colorRegisters: 256)
        state.showHelp = false
        state.graphics = .kitty
        let placed = kitty.plan(ExplorerView.compose(state, images: images, width: 100, height: 30), full: false)
        XCTAssertTrue(placed.output.hasPrefix("\u{1B}Ptmux;\u{1B}\u{1B}7"), "wrapped for tmux, the cursor saved")
        XCTAssertEqual(placed.output.components(separatedBy: "p=1,").count - 1, 1, "the preview placed once")
        XCTAssertTrue(placed.output.contains("\u{1B}\u{1B}[\(preview.rect.y + 3);"),
                      "cursor in outer coordinates")
        state.showHelp = true
        let deleted = kitty.plan(ExplorerView.compose(state, images: images, width: 100, height: 30), full: false)
        XCTAssertTrue(deleted.output.contains("a=d,d=A"))
    }
}

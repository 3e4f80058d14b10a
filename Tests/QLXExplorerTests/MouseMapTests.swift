import QLXExplorer
import QLXRender
import XCTest

/// Clicks and wheel steps map through the rectangles the screen is drawn in.
final class MouseMapTests: XCTestCase {
    let width = 100, height = 30

    func layout(_ state: ExplorerState) throws -> ExplorerLayout {
        try XCTUnwrap(ExplorerView.layout(state, width: width, height: height))
    }

    /// The cell of `text` on the drawn screen (first match).
    func position(of text: String, in grid: CellGrid) -> (x: Int, y: Int)? {
        for (y, line) in grid.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let range = line.range(of: text) { return (line.distance(from: line.startIndex, to: range.lowerBound), y) }
        }
        return nil
    }

    func testAClickOnALatentRowSelectsIt() throws {
        let state = Fixtures.state()
        let grid = ExplorerView.draw(state, images: ViewImages(), width: width, height: height)
        let row = try XCTUnwrap(position(of: " 2 ", in: grid), grid.text)
        XCTAssertEqual(MouseMap.action(for: MouseEvent(.press, x: row.x + 1, y: row.y), state: state, layout: try layout(state)),
                       .selectLatent(2))
        // The header row selects nothing.
        let l = try layout(state)
        XCTAssertNil(MouseMap.action(for: MouseEvent(.press, x: l.latents.x + 2, y: l.latents.y), state: state, layout: l))
    }

    func testAClickOnAThumbnailStepsToItsValue() throws {
        let state = Fixtures.state()
        let l = try layout(state)
        // Each strip slot's bottom row holds its value index under the thumbnail (the strip's
        // title "z0" is on its first row, so that row is left out).
        let grid = ExplorerView.draw(state, images: ViewImages(), width: width, height: height)
        var found: Set<Int> = []
        for y in (l.traversal.y + 1)..<l.traversal.maxY {
            for x in l.traversal.x..<l.traversal.maxX {
                guard let value = grid[x, y].character.wholeNumberValue else { continue }
                found.insert(value)
                for (cx, cy) in [(x, y), (x, y - 1)] {   // the label, and the thumbnail above it
                    XCTAssertEqual(MouseMap.action(for: MouseEvent(.press, x: cx, y: cy), state: state, layout: l),
                                   .setValue(value), "\(cx),\(cy)")
                }
            }
        }
        XCTAssertEqual(found, [0, 1, 2, 3], grid.text)
        XCTAssertNil(MouseMap.action(for: MouseEvent(.press, x: 0, y: l.status.y), state: state, layout: l), "status line")
    }

    /// With pixels the strip is laid out for them; a click on a thumbnail's image (its
    /// placement) still steps to that thumbnail's value.
    func testWithPixelsAClickOnAThumbnailImageStepsToItsValue() throws {
        var state = Fixtures.state()
        state.graphics = .sixel
        state.cellPixels = CellPixels(width: 8, height: 16)
        let gray = RenderImage(width: 8, height: 8, channels: 1, pixels: [Float](repeating: 0.5, count: 64))
        let frame = ExplorerView.compose(state, images: ViewImages(preview: gray, traversal: Array(repeating: gray, count: 4)),
                                         width: width, height: height)
        let l = try layout(state)
        let thumbnails = frame.placements.filter { $0.id >= 100 }.sorted { $0.rect.x < $1.rect.x }
        XCTAssertEqual(thumbnails.count, 4)
        for (value, placement) in thumbnails.enumerated() {
            for (x, y) in [(placement.rect.x, placement.rect.y), (placement.rect.maxX - 1, placement.rect.maxY - 1)] {
                XCTAssertEqual(MouseMap.action(for: MouseEvent(.press, x: x, y: y), state: state, layout: l), .setValue(value))
            }
        }
    }

    func testTheWheelStepsTheValueAndOverTheListTheSelection() throws {
        let state = Fixtures.state()
        let l = try layout(state)
        let preview = l.previewImage
        XCTAssertEqual(MouseMap.action(for: MouseEvent(.wheelDown, x: preview.x, y: preview.y), state: state, layout: l), .stepValue(1))
        XCTAssertEqual(MouseMap.action(for: MouseEvent(.wheelUp, x: preview.x, y: preview.y), state: state, layout: l), .stepValue(-1))
        XCTAssertEqual(MouseMap.action(for: MouseEvent(.wheelDown, x: l.latents.x + 1, y: l.latents.y + 1), state: state, layout: l),
                       .selectNextLatent)
    }

    func testTheSessionAppliesClicksToTheFrameOnScreenAndIgnoresThemUnderTheHelp() throws {
        let session = ExplorerSession(state: Fixtures.state(sampleCount: 0), source: FlatImageSource(size: 8))
        session.start()
        session.settle(width: width, height: height)
        let l = try layout(session.state)
        let slot = try XCTUnwrap((0..<width).first { x in
            MouseMap.action(for: MouseEvent(.press, x: x, y: l.traversal.y + 1), state: session.state, layout: l) == .setValue(0)
        })
        XCTAssertEqual(session.handle(.mouse(MouseEvent(.press, x: slot, y: l.traversal.y + 1))), .none)
        XCTAssertEqual(session.state.code[0], 0)
        _ = session.handle(.character("?"))
        _ = session.handle(.mouse(MouseEvent(.wheelDown, x: l.previewImage.x, y: l.previewImage.y)))
        XCTAssertEqual(session.state.code[0], 0, "the help overlay takes no clicks")
        XCTAssertTrue(session.state.showHelp)
    }
}

import QLXExplorer
import QLXRender
import XCTest

/// The decoded preview and the dataset sample sit in frames (a black sprite on a black
/// terminal still shows its edge), and the sample is large enough to read where the terminal
/// has room.
final class ImageFrameTests: XCTestCase {
    static let gray = RenderImage(width: 64, height: 64, channels: 1, pixels: [Float](repeating: 0.5, count: 64 * 64))

    /// The corners and edges of `frame` in `grid`, as drawn by the light frame.
    static func assertFramed(_ frame: Rect, in grid: CellGrid, glyphs: (corners: String, horizontal: Character, vertical: Character),
                             title: String, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        let corners = [grid[frame.x, frame.y], grid[frame.maxX - 1, frame.y], grid[frame.x, frame.maxY - 1],
                       grid[frame.maxX - 1, frame.maxY - 1]].map(\.character)
        XCTAssertEqual(String(corners), glyphs.corners, "corners of \(frame) at \(context):\n\(grid.text)", file: file, line: line)
        for x in frame.x + 1..<frame.maxX - 1 {
            XCTAssertEqual(grid[x, frame.maxY - 1].character, glyphs.horizontal, "bottom edge at \(x), \(context)", file: file, line: line)
        }
        for y in frame.y + 1..<frame.maxY - 1 {
            XCTAssertEqual(grid[frame.x, y].character, glyphs.vertical, "left edge at \(y), \(context)", file: file, line: line)
            XCTAssertEqual(grid[frame.maxX - 1, y].character, glyphs.vertical, "right edge at \(y), \(context)", file: file, line: line)
        }
        let top = String((frame.x..<frame.maxX).map { grid[$0, frame.y].character })
        XCTAssertTrue(top.contains(" \(title) "), "title \(title) in the top edge \(top), \(context)", file: file, line: line)
    }

    /// Half blocks, sextants and ASCII: both images framed, titles in the top edges, the
    /// frames' cells the frame's own (nothing drawn later covers them).
    func testThePreviewAndTheSampleAreFramedInEveryCellMode() throws {
        for (unicode, mode) in [(true, RenderMode.halfBlock), (true, .sextant), (false, .ascii)] {
            for (width, height) in [(80, 24), (120, 40), (200, 60)] {
                var state = ExplorerLayoutGridTests.state()
                state.adapt(unicode: unicode, maximumColors: .palette256, preferredMode: mode)
                let layout = try XCTUnwrap(ExplorerView.layout(state, width: width, height: height))
                let grid = ExplorerView.draw(state, images: ViewImages(preview: Self.gray, original: Self.gray),
                                             width: width, height: height)
                let glyphs: (String, Character, Character) = unicode ? ("╭╮╰╯", "┄", "┆") : ("..::", ".", ":")
                let context = "\(mode) \(width)×\(height)"
                Self.assertFramed(layout.previewFrame, in: grid, glyphs: glyphs, title: "decoded", context)
                Self.assertFramed(try XCTUnwrap(layout.originalFrame), in: grid, glyphs: glyphs, title: "sample 7", context)
            }
        }
    }

    /// Without an image yet (decoding), the frame still shows where it goes.
    func testTheFrameIsThereBeforeTheImage() throws {
        let state = ExplorerLayoutGridTests.state()
        let layout = try XCTUnwrap(ExplorerView.layout(state, width: 120, height: 40))
        let grid = ExplorerView.draw(state, images: ViewImages(), width: 120, height: 40)
        Self.assertFramed(layout.previewFrame, in: grid, glyphs: ("╭╮╰╯", "┄", "┆"), title: "decoded", "no images")
    }

    /// The sample's frame costs it no readable size and its factors no row where the terminal
    /// has both: under the latents in xterm's 6×13 cells at 120×40 (the factors under the
    /// frame), and kitty's 7×17 cells keep the scenes preview at 8× (the frame takes the
    /// factors' row there: a row fewer would put the sample below 1×).
    func testTheSampleFrameKeepsItsFactorsWhereThereIsRoom() throws {
        var state = ExplorerLayoutGridTests.state()
        state.graphics = .sixel
        state.cellPixels = CellPixels(width: 6, height: 13)
        let text = ExplorerView.draw(state, images: ViewImages(preview: Self.gray, original: Self.gray), width: 120, height: 40).text
        XCTAssertTrue(text.contains("shape=0"), text)
        let scenes = try XCTUnwrap(ExplorerLayout.compute(width: 120, height: 40, latentCount: 12, valuesPerLatent: 10,
                                                          imageWidth: 64, imageHeight: 64, mode: .halfBlock, showsOriginal: true,
                                                          heatmap: (31, 7), pixels: CellPixels(width: 7, height: 17)))
        XCTAssertEqual(scenes.previewImage.height * 17 / 64, 8, "scenes preview \(scenes.previewImage)")
    }

    /// A narrow sample frame keeps the sample's number in its title ("sample" goes first).
    func testANarrowSampleFrameKeepsTheNumber() throws {
        var state = ExplorerLayoutGridTests.state()
        state.sample = LoadedSample(index: 412_345, factors: [0, 1, 2, 3, 4], code: state.code.map { ($0 + 1) % 10 })
        for (width, height) in [(80, 24), (120, 40)] {
            let layout = try XCTUnwrap(ExplorerView.layout(state, width: width, height: height))
            let frame = try XCTUnwrap(layout.originalFrame)
            let grid = ExplorerView.draw(state, images: ViewImages(preview: Self.gray, original: Self.gray), width: width, height: height)
            let top = String((frame.x..<frame.maxX).map { grid[$0, frame.y].character })
            XCTAssertTrue(top.contains("412,345"), "\(width)×\(height): \(top)")
        }
    }

    /// At every size from 80×24 to 250×70, with cells and with pixels, the frames lie inside
    /// the images' panels and clear of each other, the strip, the heatmap and the text panels
    /// beside them, so a frame never covers an image or text.
    func testFramesNeverOverlapOtherPanels() throws {
        for pixels in [nil] + ExplorerLayoutGridTests.cellSizes.map(Optional.some) {
            for width in ExplorerLayoutGridTests.widths {
                for height in ExplorerLayoutGridTests.heights {
                    let l = try XCTUnwrap(ExplorerLayoutGridTests.layout(width, height, pixels: pixels))
                    let at = "\(width)×\(height)" + (pixels.map { " with \($0) cells" } ?? "")
                    let preview = l.previewFrame, original = try XCTUnwrap(l.originalFrame, at)
                    let panel = try XCTUnwrap(l.originalPanel, at)
                    XCTAssertTrue(Self.contains(l.preview, preview), "preview frame \(preview) outside \(l.preview) at \(at)")
                    XCTAssertTrue(Self.contains(panel, original), "sample frame \(original) outside \(panel) at \(at)")
                    for (name, other) in [("sample frame", original), ("latents", l.latents), ("metrics", l.metrics),
                                          ("strip", l.traversal), ("heatmap", l.heatmap ?? Rect(x: 0, y: 0, width: 0, height: 0))] {
                        XCTAssertFalse(Self.overlaps(preview, other), "preview frame \(preview) over \(name) \(other) at \(at)")
                    }
                    for (name, other) in [("latents", l.latents), ("metrics", l.metrics), ("strip", l.traversal),
                                          ("heatmap", l.heatmap ?? Rect(x: 0, y: 0, width: 0, height: 0))] {
                        XCTAssertFalse(Self.overlaps(original, other), "sample frame \(original) over \(name) \(other) at \(at)")
                    }
                }
            }
        }
    }

    /// The strip's first row holds the latent's name, the frames' top edges and at most one
    /// whole caption between them: no pieces of a caption the frames covered (pixel
    /// thumbnails are narrower than their slots, so gaps between frames showed them).
    func testTheStripCaptionIsNeverCutIntoPiecesByFrames() throws {
        for pixels in [nil, CellPixels(width: 6, height: 13), CellPixels(width: 10, height: 20)] {
            for (width, height) in [(80, 24), (120, 40), (200, 60)] {
                var state = ExplorerLayoutGridTests.state()
                if let pixels { state.graphics = .sixel; state.cellPixels = pixels }
                let layout = try XCTUnwrap(ExplorerView.layout(state, width: width, height: height))
                let frame = ExplorerView.compose(state, images: ViewImages(traversal: Array(repeating: Self.gray, count: 10)),
                                                 width: width, height: height)
                let y = layout.traversal.y
                let frameGlyphs = Set("╭╮┄┌┐─")
                var runs: [(start: Int, text: String)] = []
                for x in 2..<width where !frameGlyphs.contains(frame.grid[x, y].character) && frame.grid[x, y].character != " " {
                    if let last = runs.last, last.start + last.text.count == x {
                        runs[runs.count - 1].text.append(frame.grid[x, y].character)
                    } else {
                        runs.append((x, String(frame.grid[x, y].character)))
                    }
                }
                let at = "\(width)×\(height)" + (pixels.map { " with \($0) cells" } ?? "")
                XCTAssertLessThanOrEqual(runs.count, 1, "pieces of text between frames at \(at): \(runs)")
                if let caption = runs.first { XCTAssertTrue(caption.text.hasPrefix("="), "\(caption.text) at \(at)") }
            }
        }
    }

    static func contains(_ outer: Rect, _ inner: Rect) -> Bool {
        inner.x >= outer.x && inner.y >= outer.y && inner.maxX <= outer.maxX && inner.maxY <= outer.maxY
    }

    static func overlaps(_ a: Rect, _ b: Rect) -> Bool {
        !a.isEmpty && !b.isEmpty && a.x < b.maxX && b.x < a.maxX && a.y < b.maxY && b.y < a.maxY
    }
}

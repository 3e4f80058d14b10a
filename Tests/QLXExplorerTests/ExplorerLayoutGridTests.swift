import QLXExplorer
import QLXRender
import XCTest

/// Every layout from 80×24 to 250×70: the images take the room (no band of empty rows, a
/// bounded empty area) and a larger terminal never gets a smaller preview.
final class ExplorerLayoutGridTests: XCTestCase {
    static let widths = Array(stride(from: 80, through: 250, by: 5))
    static let heights = Array(stride(from: 24, through: 70, by: 2))

    /// The sprites model as a session shows it: ten latents of ten values, a sample on
    /// screen beside the decoded image, metrics (with the heatmap) computed.
    static func state(mode: RenderMode = .halfBlock) -> ExplorerState {
        var state = Fixtures.sprites(usage: Array(repeating: 5, count: 10), sampleCount: 1000)
        state.sample = LoadedSample(index: 7, factors: [0, 1, 2, 3, 4], code: state.code)
        return state
    }

    /// Cell sizes of terminals that draw pixels: xterm's default font, a common 8×16, kitty's.
    static let cellSizes = [CellPixels(width: 6, height: 13), CellPixels(width: 8, height: 16), CellPixels(width: 10, height: 20)]

    static func layout(_ width: Int, _ height: Int, mode: RenderMode = .halfBlock, pixels: CellPixels? = nil) -> ExplorerLayout? {
        let state = state()
        return ExplorerLayout.compute(width: width, height: height, latentCount: 10, valuesPerLatent: 10,
                                      imageWidth: 64, imageHeight: 64, mode: mode, showsOriginal: true,
                                      heatmap: (width: 27, height: state.metrics!.nmi.count + 1), pixels: pixels)
    }

    /// The cells, with the cells under pixel images marked as drawn (not blank).
    static func frame(_ width: Int, _ height: Int, pixels: CellPixels? = nil) -> CellGrid {
        let gray = RenderImage(width: 64, height: 64, channels: 1, pixels: [Float](repeating: 0.5, count: 64 * 64))
        var state = state()
        if let pixels {
            state.graphics = .sixel
            state.cellPixels = pixels
        }
        let frame = ExplorerView.compose(state, images: ViewImages(preview: gray, original: gray,
                                                                   traversal: Array(repeating: gray, count: 10)),
                                         width: width, height: height)
        var grid = frame.grid
        for p in frame.placements {
            for y in p.rect.y..<p.rect.maxY { for x in p.rect.x..<p.rect.maxX { grid[x, y] = Cell("#") } }
        }
        return grid
    }

    static func isBlank(_ cell: Cell) -> Bool { cell.character == " " && cell.background == .default }

    /// Empty rows are at most 8 in a row (before: 20 at 200×60, 9 at 120×40; what is left is
    /// a width-limited preview over fewer spare rows than a larger strip needs), and at most
    /// 65% of the cells are blank (wide, short terminals: the images are height-limited and
    /// the text panels are sparse).
    func testNoBandOfEmptyRowsAndABoundedEmptyAreaAtEverySize() {
        var worstShare = 0.0, worstAt = "", worstBand = 0, worstBandAt = ""
        for pixels in [nil] + Self.cellSizes.map(Optional.some) {
        for width in Self.widths {
            for height in Self.heights {
                let grid = Self.frame(width, height, pixels: pixels)
                var run = 0, longest = 0, blankCells = 0
                for y in 0..<height {
                    let blanks = (0..<width).filter { Self.isBlank(grid[$0, y]) }.count
                    blankCells += blanks
                    run = blanks == width ? run + 1 : 0
                    longest = max(longest, run)
                }
                let at = "\(width)×\(height)" + (pixels.map { " with \($0) cells" } ?? "")
                if longest > worstBand { (worstBand, worstBandAt) = (longest, at) }
                XCTAssertLessThanOrEqual(longest, 8, "empty rows at \(at):\n\(grid.text)")
                let share = Double(blankCells) / Double(width * height)
                if share > worstShare { (worstShare, worstAt) = (share, at) }
                XCTAssertLessThanOrEqual(share, 0.65, "empty share \(share) at \(at):\n\(grid.text)")
            }
        }
        }
        print("largest empty share \(worstShare) at \(worstAt); longest empty band \(worstBand) rows at \(worstBandAt)")
    }

    /// A larger terminal never gets a smaller preview: at every size from 80×24 to 250×70 (one
    /// column or one row at a time) the preview is at least as wide and as high as at the next
    /// smaller size, and the heatmap once shown stays shown.
    func testThePreviewNeverShrinksWhenTheTerminalGrows() throws {
        var failures = 0
        let cases = [(RenderMode.halfBlock, nil), (.sextant, nil)] + Self.cellSizes.map { (RenderMode.halfBlock, Optional($0)) }
        for (mode, pixels) in cases {
            var previousRow: [ExplorerLayout] = []
            for height in 24...70 {
                var row: [ExplorerLayout] = []
                for width in 80...250 {
                    let here = try XCTUnwrap(Self.layout(width, height, mode: mode, pixels: pixels))
                    for (smaller, w, h) in [(row.last, width - 1, height), (previousRow.isEmpty ? nil : previousRow[width - 80], width, height - 1)] {
                        guard let smaller, failures < 20 else { continue }
                        let at = "\(pixels.map { "\($0) cells" } ?? "\(mode)") \(w)×\(h) → \(width)×\(height): preview \(smaller.previewImage) → \(here.previewImage)"
                        let grew = here.previewImage.width >= smaller.previewImage.width && here.previewImage.height >= smaller.previewImage.height
                        XCTAssertTrue(grew, at)
                        XCTAssertTrue(here.showsHeatmap || !smaller.showsHeatmap, at)
                        if !grew || (smaller.showsHeatmap && !here.showsHeatmap) { failures += 1 }
                    }
                    row.append(here)
                }
                previousRow = row
            }
        }
    }

    /// With pixels the preview is a whole multiple of the model's 64×64 pixels, and the
    /// strip's thumbnails are at least 32×32 pixels at 200×60.
    func testWithPixelsThePreviewIsAWholeMultipleAndThumbnailsGrow() throws {
        for pixels in Self.cellSizes {
            for (w, h) in [(80, 24), (100, 30), (120, 40), (200, 60), (250, 70)] {
                let frame = ExplorerView.compose({ var s = Self.state(); s.graphics = .kitty; s.cellPixels = pixels; return s }(),
                                                 images: ViewImages(preview: Self.gray, original: Self.gray,
                                                                    traversal: Array(repeating: Self.gray, count: 10)),
                                                 width: w, height: h)
                let preview = try XCTUnwrap(frame.placements.first { $0.id == 1 })
                let thumbnails = frame.placements.filter { $0.id >= 100 }
                XCTAssertEqual(preview.pixelWidth % 64, 0, "\(w)×\(h), \(pixels)")
                XCTAssertEqual(preview.pixelWidth, preview.pixelHeight)
                let thumb = try XCTUnwrap(thumbnails.first)
                if w >= 200 && h >= 60 { XCTAssertGreaterThanOrEqual(thumb.pixelWidth, 32, "\(w)×\(h), \(pixels)") }
            }
        }
    }

    /// The dataset sample is large enough to read its shape from 120×40 up, for the sprites
    /// model (10 latents, 5 factors) and the scenes model (12 latents, 6 factors): a quarter
    /// of the model's 64×64 pixels each way as half blocks (16×8 cells), the model's pixels at
    /// 1× where the terminal draws pixels. (It was 8×4 half blocks at 120×40.)
    func testTheSampleIsReadableFrom120x40Up() throws {
        for (model, latents, factors) in [("sprites", 10, 5), ("scenes", 12, 6)] {
            for (w, h) in [(120, 40), (140, 40), (160, 50), (200, 60), (250, 70)] {
                for pixels in [nil] + Self.cellSizes.map(Optional.some) {
                    let at = "\(model) \(w)×\(h)" + (pixels.map { " with \($0) cells" } ?? "")
                    let l = try XCTUnwrap(ExplorerLayout.compute(
                        width: w, height: h, latentCount: latents, valuesPerLatent: 10, imageWidth: 64, imageHeight: 64,
                        mode: .halfBlock, showsOriginal: true, heatmap: (7 + 2 * latents, factors + 1), pixels: pixels), at)
                    let sample = try XCTUnwrap(l.originalImage, at)
                    if let pixels {
                        XCTAssertGreaterThanOrEqual(sample.width * pixels.width, 64, at)
                        XCTAssertGreaterThanOrEqual(sample.height * pixels.height, 64, at)
                    } else {
                        XCTAssertGreaterThanOrEqual(sample.width, 16, at)
                        XCTAssertGreaterThanOrEqual(sample.height, 8, at)
                    }
                }
            }
        }
    }

    static let gray = RenderImage(width: 64, height: 64, channels: 1, pixels: [Float](repeating: 0.5, count: 64 * 64))

    /// The sizes the layout was tuned at: the preview, the sample, the strip's thumbnails and
    /// where the heatmap goes, pinned so a change to the search shows what it moved. (The
    /// images' frames take two columns and a row from each; the sample is readable, 16×8, from
    /// 100×30 where it was 13×7, and 8×4 at 120×40.)
    func testFiguresAtTheTrialSizes() throws {
        let expected = [
            (80, 24, "preview 16×8 cells, original 16×8, thumbnails 6×3 ×10, heatmap (35,12 45×6)"),
            (100, 30, "preview 36×18 cells, original 16×8, thumbnails 8×4 ×10, heatmap in metrics"),
            (120, 40, "preview 56×28 cells, original 16×8, thumbnails 10×5 ×10, heatmap in metrics"),
            (200, 60, "preview 90×45 cells, original 62×31, thumbnails 18×9 ×10, heatmap in metrics"),
        ]
        for (w, h, figures) in expected {
            let l = try XCTUnwrap(Self.layout(w, h))
            let original = try XCTUnwrap(l.originalImage, "\(w)×\(h) places the sample")
            XCTAssertEqual("preview \(l.previewImage.width)×\(l.previewImage.height) cells, original \(original.width)×\(original.height), thumbnails \(l.thumbnailWidth)×\(l.thumbnailHeight) ×\(l.visibleThumbnails), heatmap \(l.heatmap.map { "\($0)" } ?? "in metrics")",
                           figures, "\(w)×\(h)")
        }
    }
}

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

    static func layout(_ width: Int, _ height: Int, mode: RenderMode = .halfBlock) -> ExplorerLayout? {
        let state = state()
        return ExplorerLayout.compute(width: width, height: height, latentCount: 10, valuesPerLatent: 10,
                                      imageWidth: 64, imageHeight: 64, mode: mode, showsOriginal: true,
                                      heatmap: (width: 27, height: state.metrics!.nmi.count + 1))
    }

    static func frame(_ width: Int, _ height: Int) -> CellGrid {
        let gray = RenderImage(width: 64, height: 64, channels: 1, pixels: [Float](repeating: 0.5, count: 64 * 64))
        return ExplorerView.draw(state(), images: ViewImages(preview: gray, original: gray,
                                                             traversal: Array(repeating: gray, count: 10)),
                                 width: width, height: height)
    }

    static func isBlank(_ cell: Cell) -> Bool { cell.character == " " && cell.background == .default }

    /// Empty rows are at most 8 in a row (before: 20 at 200×60, 9 at 120×40; what is left is
    /// a width-limited preview over fewer spare rows than a larger strip needs), and at most
    /// 65% of the cells are blank (wide, short terminals: the images are height-limited and
    /// the text panels are sparse).
    func testNoBandOfEmptyRowsAndABoundedEmptyAreaAtEverySize() {
        var worstShare = 0.0, worstAt = "", worstBand = 0, worstBandAt = ""
        for width in Self.widths {
            for height in Self.heights {
                let grid = Self.frame(width, height)
                var run = 0, longest = 0, blankCells = 0
                for y in 0..<height {
                    let blanks = (0..<width).filter { Self.isBlank(grid[$0, y]) }.count
                    blankCells += blanks
                    run = blanks == width ? run + 1 : 0
                    longest = max(longest, run)
                }
                if longest > worstBand { (worstBand, worstBandAt) = (longest, "\(width)×\(height)") }
                XCTAssertLessThanOrEqual(longest, 8, "empty rows at \(width)×\(height):\n\(grid.text)")
                let share = Double(blankCells) / Double(width * height)
                if share > worstShare { (worstShare, worstAt) = (share, "\(width)×\(height)") }
                XCTAssertLessThanOrEqual(share, 0.65, "empty share \(share) at \(width)×\(height):\n\(grid.text)")
            }
        }
        print("largest empty share \(worstShare) at \(worstAt); longest empty band \(worstBand) rows at \(worstBandAt)")
    }

    /// A larger terminal never gets a smaller preview, apart from the one row a strip whose
    /// thumbnails grew with the width may take.
    func testThePreviewNeverShrinksWhenTheTerminalGrows() throws {
        var worstDrop = 0, worstAt = ""
        for mode in [RenderMode.halfBlock, .sextant] {
            for width in Self.widths {
                for height in Self.heights {
                    let here = try XCTUnwrap(Self.layout(width, height, mode: mode))
                    for (w, h) in [(width + 5, height), (width, height + 2)] where w <= 250 && h <= 70 {
                        let larger = try XCTUnwrap(Self.layout(w, h, mode: mode))
                        let at = "\(mode) \(width)×\(height) → \(w)×\(h)"
                        XCTAssertTrue(larger.showsHeatmap || !here.showsHeatmap, at)
                        XCTAssertGreaterThanOrEqual(larger.previewImage.height, here.previewImage.height - 1, at)
                        XCTAssertGreaterThanOrEqual(larger.previewImage.width, here.previewImage.width - 2, at)
                        let drop = here.previewImage.height - larger.previewImage.height
                        if drop > worstDrop { (worstDrop, worstAt) = (drop, at) }
                    }
                }
            }
        }
        print("largest preview drop \(worstDrop) rows at \(worstAt)")
    }

    func testFiguresAtTheTrialSizes() throws {
        for (w, h) in [(80, 24), (100, 30), (120, 40), (200, 60)] {
            let l = try XCTUnwrap(Self.layout(w, h))
            print("\(w)×\(h): preview \(l.previewImage.width)×\(l.previewImage.height) cells, original \(l.originalImage!.width)×\(l.originalImage!.height), thumbnails \(l.thumbnailWidth)×\(l.thumbnailHeight) ×\(l.visibleThumbnails), heatmap \(l.heatmap.map { "\($0)" } ?? "in metrics")")
        }
    }
}



import QLXExplorer
import QLXRender
import XCTest

/// The rows that explain the selected latent (its value's meaning, its intervention row, DCI)
/// and the strip's labels, on the sprites-sized fixture the layout grid tests use.
final class UnderstandingRowsTests: XCTestCase {
    func testMeaningInterventionsAndDCIShowAt120x40() {
        let text = ExplorerLayoutGridTests.frame(120, 40).text
        XCTAssertTrue(text.contains("set z0"), text)
        XCTAssertTrue(text.contains("DCI D .71 C .52 I .93"), text)
        let state = ExplorerLayoutGridTests.state()
        let value = state.code[0]
        XCTAssertTrue(text.contains("z0=\(value) · \(40 + value) · shape \(["square", "ellipse", "heart"][value % 3]) 90%"), text)
        // The strip labels each thumbnail with its value's shape.
        XCTAssertTrue(text.contains("0 square") || text.contains("0 squ"), text)
    }

    /// Its own column shows how often the latent holds (hundredths); the row reads under the
    /// heatmap's latent columns.
    func testTheInterventionRowShowsHoldsInItsOwnColumn() {
        let grid = ExplorerLayoutGridTests.frame(120, 40)
        let lines = grid.text.split(separator: "\n").map(String.init)
        guard let row = lines.first(where: { $0.contains("set z0") }) else { return XCTFail(grid.text) }
        XCTAssertTrue(row.contains("90"), row)
    }

    /// A colour factor's values are swatches under the thumbnails, not names.
    func testColourFactorsAreSwatches() {
        var state = ExplorerLayoutGridTests.state()
        for _ in 0..<6 { _ = state.handle(.down) }
        let gray = RenderImage(width: 64, height: 64, channels: 1, pixels: [Float](repeating: 0.5, count: 64 * 64))
        let grid = ExplorerView.compose(state, images: ViewImages(preview: gray, original: gray, traversal: Array(repeating: gray, count: 10)),
                                        width: 120, height: 40).grid
        let swatch = ColorQuantizer.quantize(0.9, 0.2, 0.1, depth: .palette256)
        var swatches = 0
        for y in 0..<40 { for x in 0..<120 where grid[x, y].background == swatch { swatches += 1 } }
        // Two cells per thumbnail label and two in the meaning row.
        XCTAssertGreaterThanOrEqual(swatches, 8, grid.text)
        XCTAssertEqual(swatches % 2, 0)
    }
}

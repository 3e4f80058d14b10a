import QLXExplorer
import QLXRender
import XCTest

final class OverlaysTests: XCTestCase {
    func statusLine(_ state: ExplorerState, width: Int, height: Int = 24) -> String {
        let lines = ExplorerView.draw(state, images: ViewImages(), width: width, height: height).text
            .split(separator: "\n", omittingEmptySubsequences: false)
        return String(lines[height - 1])
    }

    /// In the panels, the presentation and the 2-D sweep.
    func testTheFooterShowsHelpAndQuitAtEveryWidth() {
        for unicode in [true, false] {
            for view in ["panels", "presentation", "sweep"] {
                var state = Fixtures.sprites(usage: Array(repeating: 5, count: 10))
                state.adapt(unicode: unicode, maximumColors: .palette256)
                state.presenting = view == "presentation"
                state.sweep = view == "sweep" ? Sweep(rowLatent: 1) : nil
                for width in ExplorerLayout.minimumWidth...250 {
                    for message in [nil, String(repeating: "a long status message ", count: 20)] {
                        state.statusMessage = message
                        let line = statusLine(state, width: width)
                        XCTAssertTrue(line.contains("? help") && line.contains("q quit"), "\(view), \(width) columns: \(line)")
                    }
                }
            }
        }
    }

    func testTheHelpOverlayListsEveryBindingAtTheMinimumSize() {
        var state = Fixtures.sprites(usage: Array(repeating: 5, count: 10))
        state.showHelp = true
        let text = ExplorerView.draw(state, images: ViewImages(), width: ExplorerLayout.minimumWidth,
                                     height: ExplorerLayout.minimumHeight).text
        for binding in KeyTable.bindings {
            XCTAssertTrue(text.contains(binding.label), "\(binding.label) missing at 60×18:\n\(text)")
        }
    }

    func testTheHeatmapAndTheLatentsListRoundNMIAlikeAndLeaveZerosPlain() throws {
        var state = Fixtures.sprites(usage: Array(repeating: 5, count: 10))
        var metrics = try XCTUnwrap(state.metrics)
        // Latent 0: .518 for shape (the list shows .52), 0 for every other factor.
        metrics.report.nmi = (0..<5).map { f in (0..<10).map { j in j == 0 ? (f == 0 ? 0.518 : 0) : (j / 2 == f ? 0.8 : 0.05) } }
        state.metrics = metrics
        let grid = ExplorerView.draw(state, images: ViewImages(), width: 100, height: 30)
        let lines = grid.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.contains("0 shape  .52") }, grid.text)
        let header = try XCTUnwrap(lines.firstIndex { $0.range(of: "NMI +0 1", options: .regularExpression) != nil })
        let shapeRow = lines[header + 1]
        XCTAssertNotNil(shapeRow.range(of: "shape +\\.5", options: .regularExpression), shapeRow)
        // The zero under latent 0 in the scale row is neither bold nor reversed.
        let x = try XCTUnwrap(lines[header].range(of: "NMI +0", options: .regularExpression)
            .map { lines[header].distance(from: lines[header].startIndex, to: $0.upperBound) - 2 })
        let zero = grid[x + 1, header + 2]
        XCTAssertEqual(grid[x, header + 2].character, ".")
        XCTAssertEqual(zero.character, "0")
        XCTAssertFalse(zero.bold || zero.reverse)
    }
}

import QLXExplorer
import QLXRender
import XCTest

/// Small things a room notices: numbers that run together, labels hidden, wrong plurals,
/// a status line that promises what keys do not do.
final class SmallMendsTests: XCTestCase {
    func testOneLatentIsSingularInTheTitle() {
        var state = ExplorerState(checkpointName: "one.safetensors", datasetName: "toy", factorNames: ["shape"],
                                  codebooks: [[0, 0.5, 1]], sampleCount: 0, unicode: true, renderModes: [.halfBlock],
                                  colorDepths: [.palette256], imageWidth: 8, imageHeight: 8, code: [1], seed: 1)
        state.adapt(unicode: true, maximumColors: .palette256)
        let text = ExplorerView.draw(state, images: ViewImages(), width: 100, height: 30).text
        XCTAssertTrue(text.contains("1 latent × 3 values"), text)
    }

    /// Twelve latents: the heatmap's header shows 0, 5, 10 and the selected one, never "91011".
    func testHeatmapNumbersPastTenNeverRunTogether() {
        for selected in [0, 9, 10, 11] {
            var state = ExplorerState(checkpointName: "m", datasetName: "sprites", factorNames: ["shape", "scale"],
                                      codebooks: Array(repeating: [0, 0.5, 1], count: 12), sampleCount: 0, unicode: true,
                                      renderModes: [.halfBlock], colorDepths: [.palette256])
            state.metrics = Fixtures.display(factorNames: ["shape", "scale"],
                                             nmi: (0..<2).map { f in (0..<12).map { j in j % 2 == f ? 0.8 : 0.05 } },
                                             activeLatents: Array(repeating: true, count: 12),
                                             latentFactor: (0..<12).map { $0 % 2 }, infoM: 0.8, infoE: 0.9, infoC: 0.4,
                                             usageCounts: Array(repeating: [5, 5, 5], count: 12), samples: 50, origin: .checkpoint)
            state.selectedLatent = selected
            let rows = ExplorerView.draw(state, images: ViewImages(), width: 120, height: 40).text
                .split(separator: "\n").map(String.init)
            let header = try! XCTUnwrap(rows.first { $0.contains("NMI ") })
            for together in ["91011", "910", "1011", "89"] {
                XCTAssertFalse(header.contains(together), "selected \(selected): \(header)")
            }
            XCTAssertTrue(header.contains(String(selected)), "selected \(selected): \(header)")
        }
    }

    /// The selected heatmap column shows one as " 1" and 0.84 as ".8", never "1." or "84".
    func testHeatmapCellsReadAsFractions() throws {
        var state = ExplorerState(checkpointName: "m", datasetName: "sprites", factorNames: ["shape", "scale"],
                                  codebooks: Array(repeating: [0, 0.5, 1], count: 3), sampleCount: 0, unicode: true,
                                  renderModes: [.halfBlock], colorDepths: [.palette256])
        state.metrics = Fixtures.display(factorNames: ["shape", "scale"], nmi: [[1.0, 0.1, 0.1], [0.84, 0.1, 0.1]],
                                         activeLatents: [true, true, true], latentFactor: [0, 1, 1],
                                         infoM: 0.8, infoE: 0.9, infoC: 0.4,
                                         usageCounts: Array(repeating: [5, 5, 5], count: 3), samples: 50, origin: .checkpoint)
        state.selectedLatent = 0
        let rows = ExplorerView.draw(state, images: ViewImages(), width: 120, height: 40).text
            .split(separator: "\n", omittingEmptySubsequences: false).map { Array(String($0)) }
        let headerRow = try XCTUnwrap(rows.firstIndex { String($0).contains("NMI ") })
        let x = try XCTUnwrap(String(rows[headerRow]).range(of: "NMI ").map { String(rows[headerRow])[..<$0.lowerBound].count })
        // The selected latent's column: two cells after the factor names, under its number.
        let column = try XCTUnwrap((x..<rows[headerRow].count - 1).first { rows[headerRow][$0 + 1] == "0" && $0 > x + 3 })
        XCTAssertEqual(String(rows[headerRow + 1][column...column + 1]), " 1", String(rows[headerRow + 1]))
        XCTAssertEqual(String(rows[headerRow + 2][column...column + 1]), ".8", String(rows[headerRow + 2]))
    }

    /// A wide terminal spells "orientation" out in the latents list and the heatmap; at 80
    /// columns the latents list cuts it to six characters.
    func testFactorNamesGrowWithTheRoom() {
        let state = Fixtures.sprites(usage: Array(repeating: 5, count: 10))
        let wide = ExplorerView.draw(state, images: ViewImages(), width: 200, height: 50).text
            .split(separator: "\n").map(String.init)
        XCTAssertTrue(wide.contains { $0.contains("4 orientation .80 ") }, wide.joined(separator: "\n"))
        XCTAssertTrue(wide.contains { $0.hasPrefix("orientation ") }, wide.joined(separator: "\n"))
        let narrow = ExplorerView.draw(state, images: ViewImages(), width: 80, height: 24).text
        XCTAssertTrue(narrow.contains("orient .8"), narrow)
    }

    /// Every thumbnail in the strip is framed, so black sprites on a black terminal show
    /// their extent; the current one's frame is in the accent, the others light and dim.
    func testEveryThumbnailIsFramed() throws {
        let state = Fixtures.sprites(usage: Array(repeating: 5, count: 10))
        let layout = try XCTUnwrap(ExplorerView.layout(state, width: 120, height: 40))
        let grid = ExplorerView.draw(state, images: ViewImages(), width: 120, height: 40)
        // The bottom edge: the strip's "z0" label may cover the first top-left corner.
        let bottom = layout.traversal.y + layout.thumbnailHeight + 1
        let corners = (0..<grid.width).filter { "└╰".contains(grid[$0, bottom].character) }
        XCTAssertEqual(corners.count, min(layout.visibleThumbnails, state.valuesPerLatent), grid.text)
        XCTAssertEqual(corners.filter { grid[$0, bottom].character == "└" && grid[$0, bottom].bold }.count, 1,
                       "only the current value's frame stands out")
    }

    /// At value 0 the current value's frame sits at the strip's left edge; the strip's latent
    /// label stays readable at every size.
    func testTheStripsLatentLabelSurvivesTheFrameOfValueZero() {
        var state = Fixtures.sprites(usage: Array(repeating: 5, count: 10))
        state.selectedLatent = 3
        state.code[3] = 0
        for (width, height) in [(60, 18), (80, 24), (100, 30), (120, 40), (160, 50), (200, 60)] {
            guard let layout = ExplorerView.layout(state, width: width, height: height) else { continue }
            let grid = ExplorerView.draw(state, images: ViewImages(), width: width, height: height)
            let label = String([grid[layout.traversal.x, layout.traversal.y].character,
                                grid[layout.traversal.x + 1, layout.traversal.y].character])
            XCTAssertEqual(label, "z3", "\(width)×\(height)")
        }
    }

    func testTheTourStatusSaysWhichKeysKeepItRunning() {
        var state = Fixtures.state()
        _ = state.handle(.character("t"))
        XCTAssertEqual(state.statusMessage, "touring: +/- speed, f cross-fade, other keys stop")
        _ = state.handle(.character("+"))
        XCTAssertNotNil(state.tour)
        _ = state.handle(.right)
        XCTAssertNil(state.tour, "an arrow stops the tour, as the status line says")
    }
}

/// Without colour, the characters are all a thumbnail has.
final class NoColorThumbnailTests: XCTestCase {
    /// A colour image whose two halves differ in hue but only from luminance .40 to .57.
    static let lowContrast: RenderImage = {
        var pixels = [Float](repeating: 0, count: 3 * 64)
        for y in 0..<8 {
            for x in 0..<8 {
                let (r, g, b): (Float, Float, Float) = x < 4 ? (0.6, 0.3, 0.4) : (0.3, 0.7, 0.6)
                pixels[y * 8 + x] = r; pixels[64 + y * 8 + x] = g; pixels[128 + y * 8 + x] = b
            }
        }
        return RenderImage(planar: pixels[...], channels: 3, height: 8, width: 8)
    }()

    /// Under NO_COLOR the strip's thumbnails show their images' two halves (blank and full),
    /// not one flat middle shade.
    func testThumbnailsWithoutColourShowTheirStructure() throws {
        let state = Fixtures.state(unicode: true, colors: .none)
        let layout = try XCTUnwrap(ExplorerView.layout(state, width: 120, height: 40))
        let grid = ExplorerView.draw(state, images: ViewImages(traversal: Array(repeating: Self.lowContrast, count: 4)),
                                     width: 120, height: 40)
        let strip = layout.traversal
        let characters = (strip.y..<strip.y + strip.height).flatMap { y in (strip.x..<strip.x + strip.width).map { grid[$0, y].character } }
        XCTAssertTrue(characters.contains("█"), grid.text)
        XCTAssertFalse(characters.contains("▒"), grid.text)
    }
}

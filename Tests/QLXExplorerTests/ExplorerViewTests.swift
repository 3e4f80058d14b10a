import QLXExplorer
import QLXRender
import XCTest

final class ExplorerViewTests: XCTestCase {
    func frame(_ state: ExplorerState, width: Int = 80, height: Int = 24) -> CellGrid {
        let traversal = FlatImageSource().decode(codes: state.traversalCodes)
        return ExplorerView.draw(state, images: ViewImages(preview: traversal[1], traversal: traversal),
                                 width: width, height: height)
    }

    func testWithoutUTF8EveryCharacterIsASCII() {
        var state = Fixtures.state(unicode: false, colors: .none)
        state.metrics = Fixtures.metrics
        state.metricsProgress = .running(fraction: 0.3, samples: 100)
        for help in [false, true] {
            state.showHelp = help
            for (w, h) in [(80, 24), (100, 30), (30, 10)] {
                let text = frame(state, width: w, height: h).text
                XCTAssertTrue(text.unicodeScalars.allSatisfy(\.isASCII), "\(w)×\(h) help \(help):\n\(text)")
            }
        }
    }

    func testWithoutColourNoCellHasAColour() {
        var state = Fixtures.state(unicode: true, colors: .none)
        state.metrics = Fixtures.metrics
        let grid = frame(state)
        XCTAssertTrue(grid.cells.allSatisfy { $0.foreground == .default && $0.background == .default })
        // The selected latent and the current value still stand out, by attributes.
        XCTAssertTrue(grid.cells.contains { $0.reverse })
    }

    func testTheImagesAreDrawnInColourAtTheirPlaces() throws {
        let state = Fixtures.state()
        let grid = frame(state, width: 100, height: 30)
        let layout = try XCTUnwrap(ExplorerLayout.compute(width: 100, height: 30, latentCount: 3, valuesPerLatent: 4,
                                                           imageWidth: 8, imageHeight: 8, mode: .halfBlock))
        // The preview (level of code [1,2,3] = 0.3) fills cells below its title with that gray.
        let previewCells = (layout.preview.y + 1..<layout.preview.maxY).flatMap { y in
            (layout.preview.x..<layout.preview.maxX).map { grid[$0, y] }
        }
        let gray = ColorQuantizer.quantize(0.3, 0.3, 0.3, depth: .palette256)
        XCTAssertGreaterThan(previewCells.filter { $0.background == gray || $0.foreground == gray }.count, 100)
        // Four thumbnails of different grays in the strip.
        let stripColors = Set((layout.traversal.y..<layout.traversal.maxY).flatMap { y in
            (0..<100).map { grid[$0, y].background }
        }).subtracting([.default])
        XCTAssertGreaterThanOrEqual(stripColors.count, 4)
    }

    func testTheHeatmapFindsRoomAt80x24WithTenLatentsAndFiveFactors() {
        let state = Fixtures.sprites(usage: Array(repeating: 5, count: 10))
        for (w, h) in [(80, 24), (100, 30), (200, 60)] {
            let text = ExplorerView.draw(state, images: ViewImages(), width: w, height: h).text
            XCTAssertNotNil(text.range(of: "NMI +0 1 2 3 4 5 6 7 8 9", options: .regularExpression), "\(w)×\(h):\n\(text)")
            XCTAssertTrue(text.contains("posY   "), "\(w)×\(h):\n\(text)")
            XCTAssertTrue(text.contains("InfoC"), "\(w)×\(h)")
        }
    }

    func testA32ValueUsageHistogramFitsAt80ColumnsWithNeighbouringValuesSharingColumns() throws {
        // Values 28–31 never used: the last column (values 28–31 at 4 per column) reads as dead.
        let state = Fixtures.sprites(usage: (0..<32).map { $0 < 28 ? 10 + $0 : 0 })
        let layout = try XCTUnwrap(ExplorerLayout.compute(width: 80, height: 24, latentCount: 10, valuesPerLatent: 32,
                                                          imageWidth: 64, imageHeight: 64, mode: .halfBlock))
        let lines = ExplorerView.draw(state, images: ViewImages(), width: 80, height: 24).text.split(separator: "\n")
        let row = Array(String(lines[layout.latents.y + 1]).prefix(layout.latents.width))
        let trimmed = Array(String(row).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        let histogram = String(trimmed.suffix(8))
        XCTAssertEqual(String(trimmed.dropLast(8).suffix(1)), " ", String(row))
        XCTAssertTrue(histogram.dropLast().allSatisfy { "▁▂▃▄▅▆▇█".contains($0) }, histogram)
        XCTAssertEqual(histogram.last, "·", histogram)
        // Rising usage gives rising bars.
        let levels = histogram.dropLast().map { Array("▁▂▃▄▅▆▇█").firstIndex(of: $0)! }
        XCTAssertEqual(levels, levels.sorted(), histogram)
        XCTAssertLessThan(levels.first!, levels.last!, histogram)
    }

    func testSnapshotAt80x24() {
        var state = Fixtures.state()
        state.metrics = Fixtures.metrics
        state.metricsProgress = .finished(seconds: 1)
        state.decodeMilliseconds = 1.25
        state.frameMilliseconds = 2.5
        _ = state.handle(.right)
        let text = frame(state).text.split(separator: "\n").map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        XCTAssertEqual(text.joined(separator: "\n"), ExplorerViewTests.snapshot80x24, "\n" + text.joined(separator: "\n"))
    }

    static let snapshot80x24 = """
    qlx │ tiny.safetensors │ toy │ 3×4 │ code 223        decode 1.3 ms  frame 2.5 ms
      z factor nmi codebook use  value ╭┄┄┄┄┄┄┄┄┄┄ decoded ┄┄┄┄┄┄┄┄┄┄┄╮
    ▸ 0 shape  .81 ┼──┼─█─┼ ▂█▆·  0.20 ┆                              ┆
      1 size   .64 ┼──┼█──┼ ████  0.10 ┆                              ┆
      2 off    --  ┼─┼──┼─█ █···  0.50 ┆                              ┆
    metrics · computed, 100 samples    ┆                              ┆
    InfoM █████████████████░░░░░░ .75  ┆                              ┆
    InfoE ████████████░░░░░░░░░░░ .50  ┆                              ┆
    InfoC ██████░░░░░░░░░░░░░░░░░ .25  ┆                              ┆
    NMI     0 1 2                      ┆                              ┆
    shape  .8                          ┆                              ┆
    size   .1                          ┆                              ┆
    BCE 0.0123 MSE 0.0040 PSNR 24.0    ┆                              ┆
    z0 uses 3/4 values, perplexity 2.6 ┆                              ┆
    decode 1.3 ms  frame 2.5 ms        ┆                              ┆
                                       ┆                              ┆
                                       ┆                              ┆
                                       ╰┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄╯
    z0    ╭┄┄┄┄┄┄╮            ╭┄┄┄┄┄┄╮            ┌──────┐            ╭┄┄┄┄┄┄╮
          ┆      ┆            ┆      ┆            │      │            ┆      ┆
          ┆      ┆            ┆      ┆            │      │            ┆      ┆
          ┆      ┆            ┆      ┆            │      │            ┆      ┆
          ╰┄┄0┄┄┄╯            ╰┄┄1┄┄┄╯            └──2───┘            ╰┄┄3┄┄┄╯
    ↑↓ latent  ←→ value  n/N sample  r random  t tour       ? help  q quit  half 256
    """
}

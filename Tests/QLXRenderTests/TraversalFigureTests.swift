import QLXRender
import XCTest

final class TraversalFigureTests: XCTestCase {
    func flat(_ value: Float, size: Int = 8, channels: Int = 1) -> RenderImage {
        RenderImage(width: size, height: size, channels: channels, pixels: Array(repeating: value, count: size * size * channels))
    }

    func figure(rawLabels: Bool = false) -> TraversalFigure {
        let rows = (0..<2).map { (r: Int) in
            TraversalFigure.Row(labelLines: ["z\(r)", "hue"],
                                columnLabels: rawLabels ? ["-0.\(r)", "0.5", "1"] : ["0", "1", "2"],
                                images: [flat(0.3), flat(0.6), flat(0.9)], baseColumn: r)
        }
        return TraversalFigure(title: "m · from sample 3", rows: rows, base: flat(0.45), baseLabel: "sample")
    }

    func testGeometryPlacesTitleSharedHeaderBaseColumnAndRows() {
        let g = figure().geometry(scale: 1)
        XCTAssertEqual(g.unit, 2, "readable at scale 1")
        XCTAssertEqual(g.gutter, 2)
        // Margin 4; title 10 + 4; header 10 + 2; per row: gutter, max(8, two label lines 24), gutter.
        XCTAssertEqual(g.titleY, 4)
        XCTAssertEqual(g.headerY, 18)
        XCTAssertEqual(g.rowY, [32, 60])
        XCTAssertEqual(g.height, 60 + 24 + 2 + 4)
        // Label column: "hue"/"z0" at most 11 font pixels + 3, × 2; the base column, 3 gutters, values.
        XCTAssertEqual(g.baseX, 4 + 28)
        XCTAssertEqual(g.firstValueX, 32 + 8 + 6)
        XCTAssertEqual(g.valueX(2), 46 + 2 * 10)
        XCTAssertEqual(g.width, max(66 + 8 + 4, 8 + PixelFont.width(of: "m · from sample 3") * 2))
    }

    func testFontUnitGrowsWithTheScale() {
        XCTAssertEqual([1, 2, 3, 4, 8].map(TraversalFigure.fontUnit(scale:)), [2, 2, 3, 4, 8])
        let g = figure().geometry(scale: 4)
        XCTAssertEqual(g.unit, 4)
        XCTAssertEqual(g.thumbnailWidth, 32)
    }

    /// Ten 64-pixel values and a base at scale 4 make a figure about 3,000 pixels wide that
    /// ends up a paper column wide: its glyphs are a 45th of the images' width tall, about a
    /// 50th of the whole (labels included), not the 20 pixels of scale 4.
    func testLabelsAreSizedForTheFiguresWidthInPrint() {
        let image = RenderImage(width: 64, height: 64, channels: 3, pixels: [Float](repeating: 0.5, count: 64 * 64 * 3))
        let row = TraversalFigure.Row(labelLines: ["z0", "floorHue"], columnLabels: (0..<10).map(String.init),
                                      images: Array(repeating: image, count: 10), baseColumn: 3)
        let figure = TraversalFigure(title: "scenes · from sample 7", rows: [row], base: image, baseLabel: "sample")
        let g = figure.geometry(scale: 4)
        XCTAssertGreaterThanOrEqual(PixelFont.glyphHeight * g.unit * 45, 11 * (g.thumbnailWidth + g.gutter))
        XCTAssertGreaterThanOrEqual(PixelFont.glyphHeight * g.unit * 55, g.width, "glyphs \(PixelFont.glyphHeight * g.unit) px in \(g.width)")
        XCTAssertEqual(figure.picture(scale: 4).width, g.width)
    }

    func testPixelsHoldTheBaseTheValuesTheFrameAndTheLabels() {
        let f = figure()
        let g = f.geometry(scale: 2)
        let picture = f.picture(scale: 2)
        XCTAssertEqual(picture.width, g.width)
        XCTAssertEqual(picture.height, g.height)
        func pixel(_ x: Int, _ y: Int) -> Float { picture.pixels[y * picture.width + x] }
        for r in 0..<2 {
            let y = g.rowY[r]
            XCTAssertEqual(pixel(g.baseX! + 3, y + 5), 0.45, "base column, row \(r)")
            for (c, level) in [Float(0.3), 0.6, 0.9].enumerated() {
                XCTAssertEqual(pixel(g.valueX(c) + g.thumbnailWidth - 1, y + g.thumbnailHeight - 1), level, "row \(r) value \(c)")
            }
            // The base code's value (column r) is framed in the gutter around it; the others are not.
            XCTAssertEqual(pixel(g.valueX(r) - 1, y + 4), 1, "frame left of column \(r)")
            XCTAssertEqual(pixel(g.valueX(r) + 4, y - 1), 1, "frame above column \(r)")
            XCTAssertEqual(pixel(g.valueX(1 - r) + 4, y + g.thumbnailHeight), 0.15, "no frame under column \(1 - r)")
        }
        // "0" over value column 0 in the header: glyph top row 0b111, centred, unit 2.
        let x0 = g.valueX(0) + (g.thumbnailWidth - PixelFont.width(of: "0") * g.unit) / 2
        XCTAssertEqual((0..<6).map { pixel(x0 + $0, g.headerY!) }, [1, 1, 1, 1, 1, 1])
        // The title's "m" starts at the left margin: its top row is 0b101.
        XCTAssertEqual((0..<6).map { pixel(g.labelX + $0, g.titleY) }, [1, 1, 0.15, 0.15, 1, 1])
        // The row label "z0" beside row 0 (Z's top row 0b111).
        XCTAssertEqual(pixel(g.labelX, g.rowY[0]), 1)
    }

    func testLabelsThatDifferPerRowGetABandAboveEachRow() {
        let g = figure(rawLabels: true).geometry(scale: 1)
        XCTAssertNil(g.headerY)
        XCTAssertEqual(g.rowLabelY.count, 2)
        XCTAssertEqual(g.rowLabelY[0], 18)
        XCTAssertEqual(g.rowY[0], 18 + 12 + 2)
        XCTAssertEqual(g.rowLabelY[1], g.rowY[0] + 24 + 2)
    }

    func testGrayBaseBesideColourImagesBecomesGrayInEveryChannel() {
        let row = TraversalFigure.Row(labelLines: [], columnLabels: ["0"], images: [flat(0.2, channels: 3)])
        let f = TraversalFigure(title: "", rows: [row], base: flat(0.7), baseLabel: "")
        let g = f.geometry(scale: 1), picture = f.picture(scale: 1)
        XCTAssertEqual(picture.channels, 3)
        let o = (g.rowY[0] * picture.width + g.baseX!) * 3
        XCTAssertEqual(Array(picture.pixels[o..<(o + 3)]), [0.7, 0.7, 0.7])
    }

    /// An animation's frame k is the figure's value column k: the same title, row labels and
    /// base column, the column's own label, the frame only where k is the row's base value,
    /// and one layout for every frame even when the rows' labels happen to agree in one column.
    func testAColumnKeepsTheFiguresLabelsFrameAndLayout() {
        for raw in [false, true] {
            let whole = figure(rawLabels: raw)
            let sizes = (0..<3).map { whole.column($0).geometry(scale: 2) }
            XCTAssertEqual(Set(sizes.map(\.width)).count, 1, "raw \(raw): one width")
            XCTAssertEqual(Set(sizes.map(\.height)).count, 1, "raw \(raw): one height")
            XCTAssertEqual(sizes[0].headerY == nil, raw, "raw labels differ per row: a band above each row in every frame")
        }
        let whole = figure()
        for k in 0..<3 {
            let column = whole.column(k)
            XCTAssertEqual(column.title, whole.title)
            XCTAssertEqual(column.rows.map(\.labelLines), whole.rows.map(\.labelLines))
            XCTAssertEqual(column.rows.map(\.columnLabels), [["\(k)"], ["\(k)"]])
            // Row r's base value is r: framed in frame r only.
            XCTAssertEqual(column.rows.map { $0.baseColumn != nil }, [k == 0, k == 1])
            let g = column.geometry(scale: 2), picture = column.picture(scale: 2)
            XCTAssertEqual(picture.pixels[(g.rowY[0] + 3) * picture.width + g.valueX(0) + 3], [Float(0.3), 0.6, 0.9][k])
            XCTAssertEqual(picture.pixels[(g.rowY[0] - 1) * picture.width + g.valueX(0) + 4], k == 0 ? 1 : 0.15, "frame \(k)")
        }
        // A row with fewer values shows its last in the later frames.
        let short = TraversalFigure(title: "", rows: [TraversalFigure.Row(labelLines: ["z0"], columnLabels: ["0", "1"],
                                                                           images: [flat(0.2), flat(0.4)]),
                                                      TraversalFigure.Row(labelLines: ["z1"], columnLabels: ["0", "1", "2"],
                                                                          images: [flat(0.2), flat(0.4), flat(0.8)])])
        XCTAssertEqual(short.columnCount, 3)
        XCTAssertEqual(short.column(2).rows.map(\.columnLabels), [["1"], ["2"]])
    }
}

/// A labelled latent traversal as one picture, for PNG files: `qlx traverse --png` and the
/// explorer's `e` both draw through it.
///
/// ```
/// TITLE LINE
///            SAMPLE      0      1      2      3
/// Z3         [base]   [img]  [img] ┌img┐  [img]     ← the base code's value framed
/// OBJECT HUE                       └───┘
/// Z4 ...
/// ```
///
/// Text is `PixelFont` at `fontUnit(scale:imagesWidth:)` pixels per font pixel (at least 2, so
/// the smallest figure stays readable, growing with the scale, and sized for the figure's
/// width in print), white on a dark background.
/// The base column (the dataset sample the traversal starts from, or its decoded code) comes
/// first in every row, a wider gap after it. Column labels shared by every row (value
/// indices) are drawn once above the grid; labels that differ (codebook values) above each row.
public struct TraversalFigure: Sendable {
    public struct Row: Sendable {
        /// Left of the row: the latent ("z3"), then what it encodes ("object hue").
        public var labelLines: [String]
        /// One per image: the value index, or its codebook value.
        public var columnLabels: [String]
        public var images: [RenderImage]
        /// The column whose value the base code has (framed), if the row has one.
        public var baseColumn: Int?

        public init(labelLines: [String], columnLabels: [String], images: [RenderImage], baseColumn: Int? = nil) {
            precondition(columnLabels.count == images.count, "one column label per image")
            self.labelLines = labelLines
            self.columnLabels = columnLabels
            self.images = images
            self.baseColumn = baseColumn
        }
    }

    public var title: String
    public var rows: [Row]
    /// Shown as the first column of every row (nil: no such column).
    public var base: RenderImage?
    /// The base column's label ("SAMPLE 12", "BASE").
    public var baseLabel: String
    /// Whether column labels go once above the grid (nil: when every row has the same ones).
    /// A column taken out of a figure keeps the whole figure's choice, so every frame of an
    /// animation has one layout.
    var sharedColumnLabels: Bool?

    public init(title: String, rows: [Row], base: RenderImage? = nil, baseLabel: String = "base") {
        precondition(!rows.isEmpty && rows.allSatisfy { !$0.images.isEmpty }, "a figure needs images")
        self.title = title
        self.rows = rows
        self.base = base
        self.baseLabel = baseLabel
    }

    static let background: Float = 0.15
    static let ink: Float = 1

    /// The colours of the text, the frame and the background as bytes: a GIF of the figure
    /// keeps them exact.
    public static var labelColours: [(UInt8, UInt8, UInt8)] {
        [background, ink].map { let v = ColorQuantizer.byte($0); return (v, v, v) }
    }

    /// The figure of value column `k` alone (a row with fewer values shows its last): every
    /// row's label, the base column, the column's label, and the frame when it is the base
    /// code's value. An animation's frame k (`GIFWriter.write(animating:)`).
    public func column(_ k: Int) -> TraversalFigure {
        var figure = TraversalFigure(title: title, rows: rows.map { row in
            let c = min(k, row.images.count - 1)
            return Row(labelLines: row.labelLines, columnLabels: [row.columnLabels[c]], images: [row.images[c]],
                       baseColumn: row.baseColumn == c ? 0 : nil)
        }, base: base, baseLabel: baseLabel)
        figure.sharedColumnLabels = labelsShared
        return figure
    }

    /// The most values any row has: the frames of its animation.
    public var columnCount: Int { rows.map(\.images.count).max()! }

    /// 3 when any image has colour, else 1.
    public var channels: Int { max(rows.flatMap(\.images).map(\.channels).max()!, base?.channels ?? 1) }

    private var labelsShared: Bool { sharedColumnLabels ?? rows.allSatisfy { $0.columnLabels == rows[0].columnLabels } }

    /// Pixels per font pixel: readable at scale 1, and as large relative to the images at
    /// every larger scale.
    public static func fontUnit(scale: Int) -> Int { max(2, scale) }

    /// A figure ends up a paper column wide however many pixels it has, so its text is sized
    /// for that: glyphs at least 1/`columnLines` of the images' width tall (about 7 pt in a
    /// 3.3-inch column), never smaller than `fontUnit(scale:)`.
    public static let columnLines = 45

    public static func fontUnit(scale: Int, imagesWidth: Int) -> Int {
        let glyphs = columnLines * PixelFont.glyphHeight
        return max(fontUnit(scale: scale), (imagesWidth + glyphs - 1) / glyphs)
    }

    /// Where everything goes, in pixels (public so tests can find each thumbnail).
    public struct Geometry: Equatable, Sendable {
        public var width: Int, height: Int
        public var unit: Int
        /// Space between thumbnails; the base value's frame is drawn in it.
        public var gutter: Int
        public var thumbnailWidth: Int, thumbnailHeight: Int
        /// Top of the title's glyphs.
        public var titleY: Int
        /// Left edge of the base column (nil without one) and of value column 0.
        public var baseX: Int?
        public var firstValueX: Int
        /// Top of each row's thumbnails.
        public var rowY: [Int]
        /// Top of each row's own column labels (nil: the shared header at `headerY`).
        public var rowLabelY: [Int?]
        public var headerY: Int?
        public var labelX: Int

        public func valueX(_ column: Int) -> Int { firstValueX + column * (thumbnailWidth + gutter) }
    }

    public func geometry(scale: Int) -> Geometry {
        precondition(scale >= 1)
        let first = rows[0].images[0]
        let gutter = max(2, scale)
        let w = first.width * scale, h = first.height * scale
        let columns = rows.map(\.images.count).max()!
        let unit = Self.fontUnit(scale: scale, imagesWidth: (columns + (base == nil ? 0 : 1)) * (w + gutter))
        let textHeight = PixelFont.glyphHeight * unit, lineHeight = (PixelFont.glyphHeight + 1) * unit
        let margin = 2 * unit
        let sharedLabels = labelsShared
        let labelWidth = rows.flatMap(\.labelLines).map(PixelFont.width(of:)).max() ?? 0
        let labelX = margin
        let baseX: Int? = base == nil ? nil : labelX + (labelWidth > 0 ? (labelWidth + 3) * unit : 0)
        let firstValueX = (baseX.map { $0 + w + 3 * gutter }) ?? labelX + (labelWidth > 0 ? (labelWidth + 3) * unit : 0)
        let contentWidth = firstValueX + columns * w + (columns - 1) * gutter + margin
        let width = max(contentWidth, 2 * margin + PixelFont.width(of: title) * unit)

        var y = margin
        let titleY = y
        if !title.isEmpty { y += textHeight + 2 * unit }
        var headerY: Int?
        if sharedLabels {
            headerY = y
            y += textHeight + unit
        }
        var rowY: [Int] = [], rowLabelY: [Int?] = []
        for row in rows {
            if sharedLabels {
                rowLabelY.append(nil)
            } else {
                rowLabelY.append(y)
                y += textHeight + unit
            }
            y += gutter
            rowY.append(y)
            y += max(h, row.labelLines.count * lineHeight) + gutter
        }
        return Geometry(width: width, height: y + margin, unit: unit, gutter: gutter, thumbnailWidth: w, thumbnailHeight: h,
                        titleY: titleY, baseX: baseX, firstValueX: firstValueX, rowY: rowY, rowLabelY: rowLabelY,
                        headerY: headerY, labelX: labelX)
    }

    /// The figure with every model pixel drawn as `scale` × `scale` pixels.
    public func picture(scale: Int) -> RenderImage {
        let g = geometry(scale: scale)
        let first = rows[0].images[0]
        let channels = self.channels
        var pixels = [Float](repeating: Self.background, count: g.width * g.height * channels)
        func text(_ string: String, x: Int, y: Int) {
            PixelFont.draw(string, into: &pixels, width: g.width, height: g.height, channels: channels,
                           x: x, y: y, unit: g.unit, value: Self.ink)
        }
        /// `string` centred over a thumbnail column starting at `x`.
        func columnLabel(_ string: String, x: Int, y: Int) {
            text(string, x: x + (g.thumbnailWidth - PixelFont.width(of: string) * g.unit) / 2, y: y)
        }
        func labels(_ row: Row, y: Int) {
            if let baseX = g.baseX { columnLabel(baseLabel, x: baseX, y: y) }
            for (c, label) in row.columnLabels.enumerated() { columnLabel(label, x: g.valueX(c), y: y) }
        }

        text(title, x: g.labelX, y: g.titleY)
        if let headerY = g.headerY { labels(rows[0], y: headerY) }
        for (r, row) in rows.enumerated() {
            let y = g.rowY[r]
            if let labelY = g.rowLabelY[r] { labels(row, y: labelY) }
            for (line, string) in row.labelLines.enumerated() {
                text(string, x: g.labelX, y: y + line * (PixelFont.glyphHeight + 1) * g.unit)
            }
            if let base, let baseX = g.baseX {
                Mosaic.copy(base, like: first, scale: scale, into: &pixels, width: g.width, channels: channels, x0: baseX, y0: y)
            }
            for (c, image) in row.images.enumerated() {
                Mosaic.copy(image, like: first, scale: scale, into: &pixels, width: g.width, channels: channels, x0: g.valueX(c), y0: y)
            }
            if let column = row.baseColumn, row.images.indices.contains(column) {
                frame(x: g.valueX(column) - g.gutter, y: y - g.gutter, width: g.thumbnailWidth + 2 * g.gutter,
                      height: g.thumbnailHeight + 2 * g.gutter, thickness: g.gutter, in: &pixels, g, channels: channels)
            }
        }
        return RenderImage(width: g.width, height: g.height, channels: channels, pixels: pixels)
    }

    /// A `thickness`-pixel border in ink just inside the given rectangle.
    private func frame(x: Int, y: Int, width: Int, height: Int, thickness: Int, in pixels: inout [Float], _ g: Geometry,
                       channels: Int) {
        for py in max(0, y)..<min(g.height, y + height) {
            for px in max(0, x)..<min(g.width, x + width) {
                let inside = px >= x + thickness && px < x + width - thickness && py >= y + thickness && py < y + height - thickness
                guard !inside else { continue }
                for c in 0..<channels { pixels[(py * g.width + px) * channels + c] = Self.ink }
            }
        }
    }
}

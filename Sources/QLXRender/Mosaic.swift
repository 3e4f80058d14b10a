/// One row of a labelled grid of thumbnails (a latent traversal row, for instance).
public struct MosaicRow: Sendable {
    /// Shown left of the thumbnails, one string per line from the first thumbnail line.
    public var labelLines: [String]
    /// Shown above each thumbnail (may be empty strings).
    public var columnLabels: [String]
    public var images: [RenderImage]

    public init(labelLines: [String], columnLabels: [String], images: [RenderImage]) {
        precondition(columnLabels.isEmpty || columnLabels.count == images.count, "one column label per image")
        self.labelLines = labelLines
        self.columnLabels = columnLabels
        self.images = images
    }
}

/// Lays out grids of equally sized images, as cells for the terminal or as one image for a
/// PNG file.
public enum Mosaic {
    /// Cells of one thumbnail `thumbnailWidth` cells wide (height from the aspect ratio).
    public static func thumbnailCells(imageWidth: Int, imageHeight: Int, thumbnailWidth: Int,
                                      mode: RenderMode) -> (width: Int, height: Int) {
        Renderer.fitCells(imageWidth: imageWidth, imageHeight: imageHeight,
                          box: (thumbnailWidth, 1 << 20), mode: mode)
    }

    /// Every row as: a line of column labels (centred over their thumbnails, odd space on the
    /// left so that "-0.50" and "0.00" end together; left out when
    /// a row has none), then the thumbnails side by side with one blank column between,
    /// the row's label lines on the left. Rows follow each other directly; label-less rows
    /// get a blank line between them instead.
    public static func cells(rows: [MosaicRow], thumbnailWidth: Int, options: RenderOptions) -> CellGrid {
        guard let first = rows.first?.images.first else { return CellGrid(width: 0, height: 0) }
        let thumb = thumbnailCells(imageWidth: first.width, imageHeight: first.height,
                                   thumbnailWidth: thumbnailWidth, mode: options.mode)
        let columns = rows.map(\.images.count).max() ?? 0
        let labelWidth = rows.flatMap(\.labelLines).map(\.count).max() ?? 0
        let labelColumn = labelWidth > 0 ? labelWidth + 1 : 0
        let columnWidth = max(thumb.width, rows.flatMap(\.columnLabels).map(\.count).max() ?? 0)
        let width = labelColumn + columns * columnWidth + max(0, columns - 1)
        let hasHeader = rows.map { $0.columnLabels.contains { !$0.isEmpty } }
        var height = 0
        for (i, header) in hasHeader.enumerated() {
            height += thumb.height + (header ? 1 : (i > 0 ? 1 : 0))
        }

        var grid = CellGrid(width: width, height: height)
        var y = 0
        for (r, row) in rows.enumerated() {
            if hasHeader[r] {
                for (c, label) in row.columnLabels.enumerated() {
                    let x = labelColumn + c * (columnWidth + 1) + max(0, (columnWidth - label.count + 1) / 2)
                    put(label, at: x, y, in: &grid)
                }
                y += 1
            } else if r > 0 {
                y += 1
            }
            for (line, text) in row.labelLines.prefix(thumb.height).enumerated() {
                put(text, at: 0, y + line, in: &grid, bold: line == 0)
            }
            for (c, image) in row.images.enumerated() {
                let drawn = Renderer.render(image, width: thumb.width, height: thumb.height, options: options)
                let x0 = labelColumn + c * (columnWidth + 1) + (columnWidth - thumb.width) / 2
                for ty in 0..<thumb.height {
                    for tx in 0..<thumb.width { grid[x0 + tx, y + ty] = drawn[tx, ty] }
                }
            }
            y += thumb.height
        }
        return grid
    }

    static func put(_ text: String, at x: Int, _ y: Int, in grid: inout CellGrid, bold: Bool = false) {
        for (i, character) in text.enumerated() where x + i < grid.width {
            grid[x + i, y] = Cell(character, bold: bold)
        }
    }

    /// The rows' images as one picture: each enlarged `scale` times (nearest neighbour, so
    /// pixels stay crisp), `gutter` pixels of `gutterValue` between thumbnails, labels left
    /// out. All images must share size and channel count.
    public static func picture(rows: [[RenderImage]], scale: Int, gutter: Int, gutterValue: Float) -> RenderImage {
        precondition(scale >= 1 && gutter >= 0)
        guard let first = rows.first?.first else { preconditionFailure("picture of no images") }
        let w = first.width * scale, h = first.height * scale, channels = first.channels
        let columns = rows.map(\.count).max()!
        let width = columns * w + (columns - 1) * gutter
        let height = rows.count * h + (rows.count - 1) * gutter
        var pixels = [Float](repeating: gutterValue, count: width * height * channels)
        for (r, row) in rows.enumerated() {
            for (c, image) in row.enumerated() {
                copy(image, like: first, scale: scale, into: &pixels, width: width, x0: c * (w + gutter), y0: r * (h + gutter))
            }
        }
        return RenderImage(width: width, height: height, channels: channels, pixels: pixels)
    }
}

extension Mosaic {
    /// Copies `image`, enlarged `scale` times (nearest neighbour), into `pixels` (a picture
    /// `width` pixels wide with `channels` channels; a gray image fills every channel) with its
    /// top-left corner at (x0, y0). Every image of a picture must match `first` in size.
    static func copy(_ image: RenderImage, like first: RenderImage, scale: Int, into pixels: inout [Float],
                     width: Int, channels: Int? = nil, x0: Int, y0: Int) {
        precondition(image.width == first.width && image.height == first.height, "mosaic images differ in size")
        let channels = channels ?? first.channels
        precondition(image.channels == channels || image.channels == 1, "mosaic images differ in channels")
        let sourceChannels = image.channels
        for y in 0..<(image.height * scale) {
            let source = (y / scale) * image.width
            let target = ((y0 + y) * width + x0) * channels
            for x in 0..<(image.width * scale) {
                for ch in 0..<channels {
                    pixels[target + x * channels + ch] = image.pixels[(source + x / scale) * sourceChannels + min(ch, sourceChannels - 1)]
                }
            }
        }
    }
}

import QLXRender

/// The decoded image in the place the layout gives it (the largest area left); beside it,
/// when the model has a dataset, the sample the code came from and its factors underneath;
/// each image in a frame (`CellGrid.imageFrame`) with its title in the top edge.
enum PreviewPanel {
    static func draw(_ state: ExplorerState, images: ViewImages, layout: ExplorerLayout, into grid: inout CellGrid,
                     canvas: inout ImageCanvas, glyphs: Glyphs, palette: ChromePalette) {
        guard layout.previewImage.width >= 2, layout.previewImage.height >= 1 else { return }
        let label = Style(foreground: palette.dim, bold: true)
        framedImage(titles: [images.previewIsStale ? "decoding..." : "decoded"], image: images.preview,
                    in: layout.previewImage, id: ImageCanvas.Slot.preview, canvas: &canvas, label: label, into: &grid,
                    glyphs: glyphs, palette: palette)
        guard let place = layout.originalImage, let panel = layout.originalPanel, place.width >= 2,
              let sample = state.sample else { return }
        // The whole title when the frame has room, else less of it.
        let index = Format.grouped(sample.index), edited = sample.code != state.code ? " (edited)" : ""
        let frame = framedImage(titles: ["sample \(index)\(edited)", "\(index)\(edited)", index], image: images.original,
                                in: place, id: ImageCanvas.Slot.original, canvas: &canvas, label: label, into: &grid,
                                glyphs: glyphs, palette: palette)

        // The sample's factors under its frame, one per row while rows are free.
        let style = Style(foreground: palette.dim)
        // Values by the dataset's name where it has one ("shape=capsule"), else by index.
        let factors = zip(state.factorNames, sample.factors).enumerated().map { i, pair in
            let names = i < state.factorValueNames.count ? state.factorValueNames[i] : []
            return "\(pair.0)=\(names.indices.contains(pair.1) ? names[pair.1] : String(pair.1))"
        }
        let rows = panel.maxY - frame.maxY
        if rows >= factors.count {
            for (row, text) in factors.enumerated() {
                grid.put(text, x: frame.x, y: frame.maxY + row, maxWidth: panel.maxX - frame.x, style: style,
                         ellipsis: glyphs.ellipsis)
            }
        } else if rows >= 1 {
            grid.put(factors.joined(separator: " "), x: frame.x, y: frame.maxY, maxWidth: panel.maxX - frame.x,
                     style: style, ellipsis: glyphs.ellipsis)
        }
    }

    /// The image over `place` (as cells, or as pixels where the canvas puts them), framed
    /// round the cells it covers with a title in the frame's top edge; returns the frame.
    @discardableResult
    static func framedImage(titles: [String], image: RenderImage?, in place: Rect, id: Int, canvas: inout ImageCanvas,
                            label: Style, into grid: inout CellGrid, glyphs: Glyphs, palette: ChromePalette) -> Rect {
        var covered = place
        if let image {
            covered = canvas.draw(image, in: place, id: id, wholeMultiples: true, into: &grid)
        } else {
            grid.put("decoding...", x: place.x, y: place.y + place.height / 2, maxWidth: place.width)
        }
        grid.imageFrame(around: covered, titles: titles, titleStyle: label, glyphs: glyphs, palette: palette)
        return covered.framed
    }
}

/// The decoded pixels a frame shows (the session decodes them; drawing only places them).
public struct ViewImages: Sendable {
    public var preview: RenderImage?
    public var original: RenderImage?
    /// The selected latent's codebook decoded in order (nil where not decoded yet).
    public var traversal: [RenderImage?]
    /// The preview is the previous code's image while the current one decodes.
    public var previewIsStale: Bool
    /// The 2-D sweep's images, row by row (`ExplorerState.visibleCodes`).
    public var sweep: [RenderImage?]
    /// A smooth tour's next image and how far (0…1) the preview has faded into it.
    public var fade: (next: RenderImage, amount: Float)?

    public init(preview: RenderImage? = nil, original: RenderImage? = nil, traversal: [RenderImage?] = [],
                previewIsStale: Bool = false, sweep: [RenderImage?] = [], fade: (next: RenderImage, amount: Float)? = nil) {
        self.preview = preview
        self.original = original
        self.traversal = traversal
        self.previewIsStale = previewIsStale
        self.sweep = sweep
        self.fade = fade
    }
}

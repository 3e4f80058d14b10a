import QLXRender

/// The decoded image as large as fits; beside it, when the code came from a dataset
/// sample, the original image (and its factors underneath when there is room).
enum PreviewPanel {
    /// Returns the rows used from the top of `rect`.
    @discardableResult
    static func draw(_ state: ExplorerState, images: ViewImages, in rect: Rect, into grid: inout CellGrid,
                     glyphs: Glyphs, palette: ChromePalette) -> Int {
        guard rect.width >= 4, rect.height >= 3 else { return 0 }
        let options = RenderOptions(mode: state.renderMode, colors: state.colorDepth)
        let label = Style(foreground: palette.dim, bold: true)
        guard let sample = state.sample else {
            return 1 + box(title: images.previewIsStale ? "decoding..." : "decoded", image: images.preview, in: rect,
                           options: options, state: state, label: label, into: &grid)
        }
        let gap = 2
        let half = (rect.width - gap) / 2
        let left = Rect(x: rect.x, y: rect.y, width: half, height: rect.height)
        let right = Rect(x: rect.x + half + gap, y: rect.y, width: half, height: rect.height)
        let edited = sample.code != state.code
        let used = box(title: images.previewIsStale ? "decoding..." : "decoded", image: images.preview, in: left, options: options, state: state,
                       label: label, into: &grid)
        box(title: "sample \(Format.grouped(sample.index))" + (edited ? " (edited)" : ""),
            image: images.original, in: right, options: options, state: state, label: label, into: &grid)

        // The sample's factors, under the images when a row is free.
        let factorsY = rect.y + 1 + used
        if factorsY < rect.maxY {
            let text = zip(state.factorNames, sample.factors).map { "\($0)=\($1)" }.joined(separator: " ")
            grid.put(text, x: rect.x, y: factorsY, maxWidth: rect.width, style: Style(foreground: palette.dim),
                     ellipsis: glyphs.ellipsis)
            return used + 2
        }
        return used + 1
    }

    /// A title row, then the image fitted and centred below it; returns the image's height.
    @discardableResult
    static func box(title: String, image: RenderImage?, in rect: Rect, options: RenderOptions, state: ExplorerState,
                    label: Style, into grid: inout CellGrid) -> Int {
        let area = rect.droppingTop(1)
        let size = Renderer.fitCells(imageWidth: image?.width ?? state.imageWidth,
                                     imageHeight: image?.height ?? state.imageHeight,
                                     box: (area.width, area.height), mode: options.mode)
        let x = area.x + (area.width - size.width) / 2
        grid.put(title, x: x, y: rect.y, maxWidth: rect.maxX - x, style: label)
        if let image {
            grid.blit(Renderer.render(image, width: size.width, height: size.height, options: options),
                      x: x, y: area.y)
        } else {
            grid.put("decoding...", x: x, y: area.y + size.height / 2, maxWidth: size.width)
        }
        return size.height
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

    public init(preview: RenderImage? = nil, original: RenderImage? = nil, traversal: [RenderImage?] = [],
                previewIsStale: Bool = false) {
        self.preview = preview
        self.original = original
        self.traversal = traversal
        self.previewIsStale = previewIsStale
    }
}

import QLXRender

/// Where each panel goes for a terminal size. Pure, so every size can be tested.
///
/// ```
/// title ─────────────────────────────────────────────────────────────
/// latents panel  │ preview (decoded)            original │ metrics
/// metrics panel  │ (the largest area left)    (readable) │ (a column when that
///                │ NMI heatmap when metrics lack room    │  gives a larger preview)
/// traversal strip: the selected latent's codebook as thumbnails ─────
/// status line ───────────────────────────────────────────────────────
/// ```
///
/// The strip's thumbnails take their size from the width (one slot per value); the latents
/// and metrics are placed whichever way (stacked on the left, or metrics in a column of
/// their own) leaves the larger decoded preview, which then takes everything left.
public struct ExplorerLayout: Equatable, Sendable {
    public static let minimumWidth = 60
    public static let minimumHeight = 18

    public var title: Rect
    public var latents: Rect
    public var metrics: Rect
    /// The images' panel: titles, images, the sample's factors.
    public var preview: Rect
    /// The decoded image's cells, and the dataset sample's when the model has a dataset (the
    /// place is kept while no sample is shown, so the preview keeps its size). Each image has
    /// a frame one cell outside it (`previewFrame`, `originalFrame`), its title in the top edge.
    public var previewImage: Rect
    public var originalImage: Rect? = nil
    /// The sample's framed image and its factors (under the latents, beside or below the preview).
    public var originalPanel: Rect? = nil

    /// The frames around the images: a black image on a black terminal still shows its extent.
    public var previewFrame: Rect { previewImage.framed }
    public var originalFrame: Rect? { originalImage?.framed }
    /// The NMI heatmap's place under the images when the metrics panel has no room for it.
    public var heatmap: Rect?
    public var traversal: Rect
    public var status: Rect
    /// Cells of one traversal thumbnail, and how many fit side by side.
    public var thumbnailWidth: Int
    public var thumbnailHeight: Int
    public var visibleThumbnails: Int
    /// Rows of thumbnails (more than one when a narrow, tall terminal has rows to spare).
    public var thumbnailRows: Int

    /// Whether the NMI heatmap has a place (in the metrics panel or under the images), or
    /// there are no metrics yet.
    public var showsHeatmap = true

    /// The layout for `width` × `height`, or nil when the terminal is below the minimum.
    /// `heatmap` is the NMI heatmap's size once metrics exist. A small search
    /// (`ExplorerLayout+Search.swift`): every candidate, the best by `LayoutSearch.score`,
    /// then its strip grown into rows left free and spare rows spread around the preview.
    public static func compute(width: Int, height: Int, latentCount: Int, valuesPerLatent: Int,
                               imageWidth: Int, imageHeight: Int, mode: RenderMode, showsOriginal: Bool = false,
                               heatmap: (width: Int, height: Int)? = nil, pixels: CellPixels? = nil) -> ExplorerLayout? {
        guard width >= minimumWidth, height >= minimumHeight else { return nil }
        let search = LayoutSearch(width: width, height: height, latentCount: latentCount, values: max(valuesPerLatent, 1),
                                  imageWidth: imageWidth, imageHeight: imageHeight, mode: mode,
                                  showsOriginal: showsOriginal, heatmap: heatmap, pixels: pixels)
        var best: ExplorerLayout?
        for candidate in search.candidates() {
            if let current = best, search.score(current) >= search.score(candidate) { continue }
            best = candidate
        }
        guard var layout = best else { return nil }
        search.growStrip(&layout)
        search.spreadSpareRows(&layout)
        return layout
    }

    /// Where the dataset sample goes.
    enum OriginalPlace: CaseIterable { case beside, below, left }

    /// `size` centred horizontally at the top of `area`.
    static func centred(_ size: (width: Int, height: Int), in area: Rect) -> Rect {
        Rect(x: area.x + (area.width - size.width) / 2, y: area.y, width: size.width, height: size.height)
    }
}

extension Rect {
    var area: Int { width * height }
    /// The rect one cell larger on every side: the frame around an image drawn in it.
    public var framed: Rect { Rect(x: x - 1, y: y - 1, width: width + 2, height: height + 2) }
    /// The rect one cell smaller on every side: where an image inside a frame on it goes.
    var insideFrame: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
    /// The rect cut off above row `y`.
    func ending(at y: Int) -> Rect { Rect(x: x, y: self.y, width: width, height: min(height, y - self.y)) }
}

import QLXRender

/// Where each panel goes for a terminal size. Pure, so every size can be tested.
///
/// ```
/// title ─────────────────────────────────────────────────────────────
/// latents panel  │ preview (decoded)     original (when a sample)   │ metrics
/// metrics panel  │                                                   │ (≥ 150 columns)
/// traversal strip: the selected latent's codebook as thumbnails ─────
/// status line ───────────────────────────────────────────────────────
/// ```
public struct ExplorerLayout: Equatable, Sendable {
    public static let minimumWidth = 60
    public static let minimumHeight = 18
    /// From this width on, the metrics get their own column on the right.
    static let wideWidth = 150

    public var title: Rect
    public var latents: Rect
    public var metrics: Rect
    public var preview: Rect
    public var traversal: Rect
    public var status: Rect
    /// Cells of one traversal thumbnail, and how many fit side by side.
    public var thumbnailWidth: Int
    public var thumbnailHeight: Int
    public var visibleThumbnails: Int

    /// The layout for `width` × `height`, or nil when the terminal is below the minimum.
    public static func compute(width: Int, height: Int, latentCount: Int, valuesPerLatent: Int,
                               imageWidth: Int, imageHeight: Int, mode: RenderMode) -> ExplorerLayout? {
        guard width >= minimumWidth, height >= minimumHeight else { return nil }
        let values = max(valuesPerLatent, 1)

        // Traversal strip: one slot per value (a frame column on each side of the image).
        let slotWidth = max(6, width / values)
        let visible = min(values, width / slotWidth)
        let maxThumbRows = max(2, (height - 2) / 6)
        let thumb = Renderer.fitCells(imageWidth: imageWidth, imageHeight: imageHeight,
                                      box: (slotWidth - 2, maxThumbRows), mode: mode)
        let traversalHeight = thumb.height + 2
        let status = Rect(x: 0, y: height - 1, width: width, height: 1)
        let traversal = Rect(x: 0, y: status.y - traversalHeight, width: width, height: traversalHeight)
        let middle = Rect(x: 0, y: 1, width: width, height: traversal.y - 1)

        // Latents on the left; metrics below them, or in their own column when wide.
        let latentsWidth = min(max(width * 42 / 100, 34), 15 + 4 * values + 7)
        let latents: Rect, metrics: Rect, preview: Rect
        if width >= wideWidth {
            let metricsWidth = min(48, max(36, 9 + 2 * latentCount))
            latents = Rect(x: 0, y: middle.y, width: latentsWidth, height: middle.height)
            metrics = Rect(x: width - metricsWidth, y: middle.y, width: metricsWidth, height: middle.height)
            preview = Rect(x: latentsWidth + 1, y: middle.y, width: metrics.x - latentsWidth - 2,
                           height: middle.height)
        } else {
            let minimumMetrics = 4
            let latentRows = min(latentCount + 1, max(3, middle.height - minimumMetrics))
            latents = Rect(x: 0, y: middle.y, width: latentsWidth, height: latentRows)
            metrics = Rect(x: 0, y: middle.y + latentRows, width: latentsWidth,
                           height: middle.height - latentRows)
            preview = Rect(x: latentsWidth + 1, y: middle.y, width: width - latentsWidth - 1,
                           height: middle.height)
        }
        return ExplorerLayout(
            title: Rect(x: 0, y: 0, width: width, height: 1), latents: latents, metrics: metrics,
            preview: preview, traversal: traversal, status: status,
            thumbnailWidth: thumb.width, thumbnailHeight: thumb.height, visibleThumbnails: visible)
    }
}

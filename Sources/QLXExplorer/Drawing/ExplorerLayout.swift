import QLXRender

/// Where each panel goes for a terminal size. Pure, so every size can be tested.
///
/// ```
/// title ─────────────────────────────────────────────────────────────
/// latents panel  │ preview (decoded)            original │ metrics
/// metrics panel  │ (the largest area left)   (a quarter) │ (a column when that
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
    /// place is kept while no sample is shown, so the preview keeps its size).
    public var previewImage: Rect
    public var originalImage: Rect? = nil
    /// The sample's title, image and factors (under the latents, beside or below the preview).
    public var originalPanel: Rect? = nil
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
    /// `heatmap` is the NMI heatmap's size once metrics exist.
    public static func compute(width: Int, height: Int, latentCount: Int, valuesPerLatent: Int,
                               imageWidth: Int, imageHeight: Int, mode: RenderMode, showsOriginal: Bool = false,
                               heatmap: (width: Int, height: Int)? = nil, pixels: CellPixels? = nil) -> ExplorerLayout? {
        guard width >= minimumWidth, height >= minimumHeight else { return nil }
        let values = max(valuesPerLatent, 1)
        /// The image's cells in `box`: stretched over cells, or, when the terminal draws
        /// pixels, a whole multiple of the model's pixels (any size for thumbnails).
        func fit(_ box: (Int, Int), wholeMultiples: Bool = true) -> (width: Int, height: Int) {
            guard let pixels, box.0 > 0, box.1 > 0 else {
                return Renderer.fitCells(imageWidth: imageWidth, imageHeight: imageHeight, box: box, mode: mode)
            }
            return pixels.fit(imageWidth: imageWidth, imageHeight: imageHeight, box: box, wholeMultiples: wholeMultiples).cells
        }

        // The latents panel at its natural width, or as narrow as keeps every column (the
        // ruler one column per value) when that gives the images more room.
        let naturalLatents = min(max(width * 42 / 100, 34), LatentsPanel.fixedColumns + 4 * values + 7)
        let compactLatents = min(naturalLatents, max(34, LatentsPanel.compactWidth(values: values)))
        let metricsRowsWithHeatmap = MetricsPanel.rowsWithHeatmap + (heatmap?.height ?? 0)
        // Candidates: the strip's rows (below); the metrics stacked under the latents or in a
        // column of their own; the sample beside or below the decoded image, or under the
        // latents and metrics. The one with the NMI heatmap on screen and the largest preview
        // wins, then the largest thumbnails, then the largest original.
        var best: ExplorerLayout?
        func score(_ l: ExplorerLayout) -> (Int, Int, Int, Int) {
            (l.showsHeatmap ? 1 : 0, l.previewImage.area, l.thumbnailWidth * l.thumbnailHeight * l.visibleThumbnails,
             l.originalImage?.area ?? 0)
        }
        /// The strip in `rows` rows of thumbnails, each as wide as its slot allows and at most
        /// `maxThumbRows` high.
        func strip(rows: Int, maxThumbRows: Int) -> (thumb: (width: Int, height: Int), visible: Int, height: Int) {
            let perRow = (values + rows - 1) / rows
            let slotWidth = max(6, width / perRow)
            let thumb = fit((slotWidth - 2, maxThumbRows), wholeMultiples: false)
            return (thumb, min(values, width / slotWidth * rows), rows * (thumb.height + 2))
        }
        // The strip's rows are reserved by the height alone (up to a fifth of it), not by what
        // the width lets the thumbnails fill: a strip that grew with the width would take rows
        // from the preview, and a wider terminal would show a smaller preview. Rows a
        // candidate's thumbnails leave free go back to the strip below (more rows of them).
        let tallest = max(2, (height - 2) / 5)
        // With pixels one row less for the preview can cost a whole multiple of its pixels, so
        // every thumbnail height down to 2 rows is a candidate there.
        let shortest = pixels == nil ? max(min(3, tallest), tallest - 2) : 2
        for thumbRows in shortest...tallest {
            let (thumb, visible, _) = strip(rows: 1, maxThumbRows: thumbRows)
            let traversalHeight = thumbRows + 2
            let status = Rect(x: 0, y: height - 1, width: width, height: 1)
            let traversal = Rect(x: 0, y: status.y - traversalHeight, width: width, height: traversalHeight)
            let middle = Rect(x: 0, y: 1, width: width, height: traversal.y - 1)
            for (latentsWidth, metricsColumn) in [(naturalLatents, false), (naturalLatents, true),
                                                  (compactLatents, false), (compactLatents, true)] {
                var latents: Rect, metrics: Rect, images: Rect
                if metricsColumn {
                    let metricsWidth = min(48, max(36, 9 + 2 * latentCount))
                    guard width - latentsWidth - metricsWidth - 2 >= 20 else { continue }
                    latents = Rect(x: 0, y: middle.y, width: latentsWidth, height: middle.height)
                    metrics = Rect(x: width - metricsWidth, y: middle.y, width: metricsWidth, height: middle.height)
                    images = Rect(x: latentsWidth + 1, y: middle.y, width: metrics.x - latentsWidth - 2, height: middle.height)
                } else {
                    let minimumMetrics = 4
                    let latentRows = min(latentCount + 1, max(3, middle.height - minimumMetrics))
                    latents = Rect(x: 0, y: middle.y, width: latentsWidth, height: latentRows)
                    metrics = Rect(x: 0, y: middle.y + latentRows, width: latentsWidth, height: middle.height - latentRows)
                    images = Rect(x: latentsWidth + 1, y: middle.y, width: width - latentsWidth - 1, height: middle.height)
                }
                // The heatmap goes under the images when the metrics panel cannot hold it and
                // the images keep at least 8 rows.
                var heatmapRect: Rect?
                if let heatmap, metrics.height < metricsRowsWithHeatmap, images.width >= heatmap.width,
                   images.height - heatmap.height - 1 >= 8 {
                    images.height -= heatmap.height + 1
                    heatmapRect = Rect(x: images.x, y: images.maxY + 1, width: images.width, height: heatmap.height)
                }
                let area = images.droppingTop(1)
                for place in showsOriginal ? OriginalPlace.allCases.map(Optional.some) : [nil] {
                    var candidate = ExplorerLayout(
                        title: Rect(x: 0, y: 0, width: width, height: 1), latents: latents, metrics: metrics,
                        preview: images, previewImage: centred(fit((area.width, area.height)), in: area),
                        heatmap: heatmapRect, traversal: traversal, status: status,
                        thumbnailWidth: thumb.width, thumbnailHeight: thumb.height, visibleThumbnails: visible,
                        thumbnailRows: 1,
                        showsHeatmap: heatmap == nil || heatmapRect != nil || metrics.height >= metricsRowsWithHeatmap)
                    switch place {
                    case nil: break
                    case .beside?:
                        let gap = 2
                        let preview = fit((area.width - gap - (area.width - gap) / 4, area.height))
                        let original = fit((area.width - gap - preview.width, area.height))
                        let x = area.x + (area.width - preview.width - gap - original.width) / 2
                        candidate.previewImage = Rect(x: x, y: area.y, width: preview.width, height: preview.height)
                        candidate.originalImage = Rect(x: x + preview.width + gap, y: area.y,
                                                       width: original.width, height: original.height)
                        candidate.originalPanel = Rect(x: x + preview.width + gap, y: images.y,
                                                       width: images.maxX - x - preview.width - gap, height: images.height)
                    case .below?:
                        let preview = fit((area.width, area.height - 1 - max(4, area.height / 4)))
                        let panel = Rect(x: images.x, y: area.y + preview.height, width: images.width,
                                         height: images.maxY - area.y - preview.height)
                        let original = fit((panel.width, panel.height - 1))
                        candidate.previewImage = centred(preview, in: area)
                        candidate.originalImage = centred(original, in: panel.droppingTop(1))
                        candidate.originalPanel = panel
                    case .left?:
                        // Under the latents and the rows the metrics panel fills.
                        let column = metricsColumn ? latents : Rect(x: latents.x, y: latents.y, width: latents.width,
                                                                    height: latents.height + metrics.height)
                        let metricsRows = metricsColumn ? 0 : MetricsPanel.naturalRows(
                            heatmapRows: heatmapRect == nil ? heatmap?.height ?? 0 : 0)
                        let free = column.height - latents.height - metricsRows - 1
                        let original = fit((column.width, free - 2))
                        guard original.height >= 4 else { continue }
                        let panel = Rect(x: column.x, y: column.maxY - free, width: column.width, height: free)
                        if metricsColumn { candidate.latents.height -= free } else { candidate.metrics.height -= free + 1 }
                        candidate.originalImage = Rect(x: panel.x, y: panel.y + 1, width: original.width, height: original.height)
                        candidate.originalPanel = panel
                    }
                    if let current = best, score(current) >= score(candidate) { continue }
                    best = candidate
                }
            }
        }
        guard var layout = best else { return nil }

        // Rows the chosen panels leave free above the strip go to the strip when they make
        // its thumbnails larger (in more rows); the preview keeps its size.
        let metricsEnd = layout.metrics.y + MetricsPanel.naturalRows(
            heatmapRows: layout.heatmap == nil ? heatmap?.height ?? 0 : 0)
        let used = [layout.latents.y + latentCount + 1, metricsEnd, layout.previewImage.maxY,
                    layout.heatmap?.maxY ?? 0, layout.originalImage.map { $0.maxY + 1 } ?? 0].max()!
        let budget = layout.traversal.height + max(0, layout.traversal.y - used - 1)
        func thumbnailArea(_ s: (thumb: (width: Int, height: Int), visible: Int, height: Int)) -> Int {
            s.thumb.width * s.thumb.height * s.visible
        }
        var grown = (thumb: (width: layout.thumbnailWidth, height: layout.thumbnailHeight),
                     visible: layout.visibleThumbnails, height: layout.traversal.height)
        var grownRows = layout.thumbnailRows
        for rows in 1...min(3, values) where budget / rows - 2 >= 2 {
            let candidate = strip(rows: rows, maxThumbRows: budget / rows - 2)
            if thumbnailArea(candidate) > thumbnailArea(grown) { (grown, grownRows) = (candidate, rows) }
        }
        if grownRows != layout.thumbnailRows || grown.thumb != (layout.thumbnailWidth, layout.thumbnailHeight) {
            layout.traversal = Rect(x: 0, y: layout.status.y - grown.height, width: width, height: grown.height)
            (layout.thumbnailWidth, layout.thumbnailHeight) = grown.thumb
            (layout.visibleThumbnails, layout.thumbnailRows) = (grown.visible, grownRows)
            let top = layout.traversal.y
            layout.latents = layout.latents.ending(at: top)
            layout.metrics = layout.metrics.ending(at: top)
            layout.preview = layout.preview.ending(at: top)
            layout.originalPanel = layout.originalPanel?.ending(at: top)
        }
        // Rows neither the preview nor the strip can use (a preview width-limited, or a whole
        // multiple short of the next; thumbnails limited by their slots) are split above and
        // below the decoded image rather than left as one band over the strip. The sample
        // below it and a heatmap under it keep it where it is.
        if layout.heatmap == nil, layout.originalImage.map({ $0.y < layout.previewImage.maxY }) ?? true {
            layout.previewImage.y += max(0, layout.traversal.y - layout.previewImage.maxY - 1) / 2
        }
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
    /// The rect cut off above row `y`.
    func ending(at y: Int) -> Rect { Rect(x: x, y: self.y, width: width, height: min(height, y - self.y)) }
}

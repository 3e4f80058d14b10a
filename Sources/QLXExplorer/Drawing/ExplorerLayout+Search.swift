import QLXRender

/// One layout search: the sizes every step reads, and how an image fits a box. The steps:
/// `candidates` (strip heights × latents widths × where the metrics go × where the sample
/// goes), `score` (which wins), `growStrip` and `spreadSpareRows` (the winner's leftovers).
struct LayoutSearch {
    let width: Int
    let height: Int
    let latentCount: Int
    let values: Int
    let imageWidth: Int
    let imageHeight: Int
    let mode: RenderMode
    let showsOriginal: Bool
    let heatmap: (width: Int, height: Int)?
    let pixels: CellPixels?

    typealias Size = (width: Int, height: Int)
    typealias Strip = (thumb: Size, visible: Int, height: Int)

    /// The image's cells in `box`: stretched over cells, or, when the terminal draws
    /// pixels, a whole multiple of the model's pixels (any size for thumbnails).
    func fit(_ box: (Int, Int), wholeMultiples: Bool = true) -> Size {
        guard let pixels, box.0 > 0, box.1 > 0 else {
            return Renderer.fitCells(imageWidth: imageWidth, imageHeight: imageHeight, box: box, mode: mode)
        }
        return pixels.fit(imageWidth: imageWidth, imageHeight: imageHeight, box: box, wholeMultiples: wholeMultiples).cells
    }

    /// The strip in `rows` rows of thumbnails, each as wide as its slot allows and at most
    /// `maxThumbRows` high.
    func strip(rows: Int, maxThumbRows: Int) -> Strip {
        let perRow = (values + rows - 1) / rows
        let slotWidth = max(6, width / perRow)
        let thumb = fit((slotWidth - 2, maxThumbRows), wholeMultiples: false)
        return (thumb, min(values, width / slotWidth * rows), rows * (thumb.height + 2))
    }

    /// The one with the NMI heatmap on screen wins, then the one whose sample comes nearest
    /// `readableSample` (a sample too small to read is no use beside any preview), then the
    /// largest preview, the one with a row for the sample's factors, the largest thumbnails,
    /// the largest sample; the first of equals stays.
    func score(_ l: ExplorerLayout) -> (Int, Int, Int, Int, Int, Int) {
        let sample = l.originalImage.map { min($0.width, readableSample.width) * min($0.height, readableSample.height) } ?? 0
        let factorsRow = l.originalFrame.map { frame in l.originalPanel.map { $0.maxY > frame.maxY } ?? false } ?? false
        return (l.showsHeatmap ? 1 : 0, sample, l.previewImage.area, factorsRow ? 1 : 0,
                l.thumbnailWidth * l.thumbnailHeight * l.visibleThumbnails, l.originalImage?.area ?? 0)
    }

    /// The smallest sample whose shape reads: the model's pixels at 1× when the terminal draws
    /// pixels; as cells, a quarter of them each way (16×16 of a 64×64 sprite, 16×8 half blocks).
    var readableSample: Size {
        if let pixels { return pixels.cells(width: imageWidth, height: imageHeight) }
        let perCell = mode.pixelsPerCell
        let box = ((imageWidth / 4 + perCell.x - 1) / perCell.x, (imageHeight / 4 + perCell.y - 1) / perCell.y)
        return fit((max(box.0, 1), max(box.1, 1)))
    }

    /// Every candidate layout, in the order ties are broken.
    func candidates() -> [ExplorerLayout] {
        // The latents panel at its natural width, or as narrow as keeps every column (the
        // ruler one column per value) when that gives the images more room.
        let naturalLatents = min(max(width * 42 / 100, 34), LatentsPanel.fixedColumns + 4 * values + 7)
        let compactLatents = min(naturalLatents, max(34, LatentsPanel.compactWidth(values: values)))
        // The strip's rows are reserved by the height alone (up to a fifth of it), not by what
        // the width lets the thumbnails fill: a strip that grew with the width would take rows
        // from the preview, and a wider terminal would show a smaller preview. Rows a
        // candidate's thumbnails leave free go back to the strip below (more rows of them).
        let tallest = max(2, (height - 2) / 5)
        // With pixels one row less for the preview can cost a whole multiple of its pixels, so
        // every thumbnail height down to 2 rows is a candidate there.
        let shortest = pixels == nil ? max(min(3, tallest), tallest - 2) : 2
        var out: [ExplorerLayout] = []
        for thumbRows in shortest...tallest {
            let (thumb, visible, _) = strip(rows: 1, maxThumbRows: thumbRows)
            let traversalHeight = thumbRows + 2
            let status = Rect(x: 0, y: height - 1, width: width, height: 1)
            let traversal = Rect(x: 0, y: status.y - traversalHeight, width: width, height: traversalHeight)
            let middle = Rect(x: 0, y: 1, width: width, height: traversal.y - 1)
            for (latentsWidth, metricsColumn) in [(naturalLatents, false), (naturalLatents, true),
                                                  (compactLatents, false), (compactLatents, true)] {
                guard let panels = split(middle, latentsWidth: latentsWidth, metricsColumn: metricsColumn) else { continue }
                // The image inside its frame: the title in the frame's top edge.
                let area = panels.images.insideFrame
                let base = ExplorerLayout(
                    title: Rect(x: 0, y: 0, width: width, height: 1), latents: panels.latents, metrics: panels.metrics,
                    preview: panels.images, previewImage: ExplorerLayout.centred(fit((area.width, area.height)), in: area),
                    heatmap: panels.heatmap, traversal: traversal, status: status,
                    thumbnailWidth: thumb.width, thumbnailHeight: thumb.height, visibleThumbnails: visible,
                    thumbnailRows: 1,
                    showsHeatmap: heatmap == nil || panels.heatmap != nil || panels.metrics.height >= metricsRowsWithHeatmap)
                guard showsOriginal else { out.append(base); continue }
                for place in ExplorerLayout.OriginalPlace.allCases {
                    out += placeOriginal(place, in: base, metricsColumn: metricsColumn)
                }
            }
        }
        return out
    }

    private var metricsRowsWithHeatmap: Int { MetricsPanel.rowsWithHeatmap + (heatmap?.height ?? 0) }

    /// The middle rows split into the latents, the metrics (stacked under the latents or in a
    /// column of their own) and the images, with the heatmap under the images when the
    /// metrics panel cannot hold it and the images keep at least 8 rows.
    private func split(_ middle: Rect, latentsWidth: Int, metricsColumn: Bool)
        -> (latents: Rect, metrics: Rect, images: Rect, heatmap: Rect?)? {
        var latents: Rect, metrics: Rect, images: Rect
        if metricsColumn {
            let metricsWidth = min(48, max(36, 9 + 2 * latentCount))
            guard width - latentsWidth - metricsWidth - 2 >= 20 else { return nil }
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
        var heatmapRect: Rect?
        if let heatmap, metrics.height < metricsRowsWithHeatmap, images.width >= heatmap.width,
           images.height - heatmap.height - 1 >= 8 {
            images.height -= heatmap.height + 1
            heatmapRect = Rect(x: images.x, y: images.maxY + 1, width: images.width, height: heatmap.height)
        }
        return (latents, metrics, images, heatmapRect)
    }

    /// `base` with the dataset sample at `place`: beside or below the preview once with a
    /// share of the room, once at `readableSample` (the preview takes the rest); none when it
    /// has no room there. Both images sit inside frames (`Rect.framed`), the frames one column
    /// apart.
    private func placeOriginal(_ place: ExplorerLayout.OriginalPlace, in base: ExplorerLayout,
                               metricsColumn: Bool) -> [ExplorerLayout] {
        let images = base.preview
        switch place {
        case .beside:
            let gap = 1, room = images.width - gap - 4, rows = images.height - 2
            return [room - room / 4, room - readableSample.width].compactMap { previewWidth in
                guard previewWidth > 0 else { return nil }
                var candidate = base
                let preview = fit((previewWidth, rows))
                let original = fit((room - preview.width, rows))
                let x = images.x + (images.width - preview.width - original.width - gap - 4) / 2
                candidate.previewImage = Rect(x: x + 1, y: images.y + 1, width: preview.width, height: preview.height)
                let panelX = candidate.previewFrame.maxX + gap
                candidate.originalImage = Rect(x: panelX + 1, y: images.y + 1, width: original.width, height: original.height)
                candidate.originalPanel = Rect(x: panelX, y: images.y, width: images.maxX - panelX, height: images.height)
                return candidate
            }
        case .below:
            // Rows for the sample's frame: a quarter of the room, or the readable sample's.
            return [max(6, images.height / 4), readableSample.height + 2].compactMap { sampleRows in
                var candidate = base
                let preview = fit((images.width - 2, images.height - 2 - sampleRows))
                guard preview.height >= 1 else { return nil }
                candidate.previewImage = ExplorerLayout.centred(preview, in: images.insideFrame)
                let panel = Rect(x: images.x, y: candidate.previewFrame.maxY, width: images.width,
                                 height: images.maxY - candidate.previewFrame.maxY)
                let original = fit((panel.width - 2, panel.height - 2))
                candidate.originalImage = ExplorerLayout.centred(original, in: panel.insideFrame)
                candidate.originalPanel = panel
                return candidate
            }
        case .left:
            // Under the latents and the rows the metrics panel fills: the frame with a row for
            // the factors under it, or without (the image a row taller where that makes it
            // readable; `score` keeps the factors' row when the image is as readable with it).
            let latents = base.latents, metrics = base.metrics
            let column = metricsColumn ? latents : Rect(x: latents.x, y: latents.y, width: latents.width,
                                                        height: latents.height + metrics.height)
            let metricsRows = metricsColumn ? 0 : MetricsPanel.naturalRows(
                heatmapRows: base.heatmap == nil ? heatmap?.height ?? 0 : 0)
            let free = column.height - latents.height - metricsRows - 1
            let panel = Rect(x: column.x, y: column.maxY - free, width: column.width, height: free)
            return [3, 2].compactMap { frameAndFactorRows in
                let original = fit((column.width - 2, free - frameAndFactorRows))
                guard original.height >= 4 else { return nil }
                var candidate = base
                if metricsColumn { candidate.latents.height -= free } else { candidate.metrics.height -= free + 1 }
                candidate.originalImage = Rect(x: panel.x + 1, y: panel.y + 1, width: original.width, height: original.height)
                candidate.originalPanel = panel
                return candidate
            }
        }
    }

    /// Rows the chosen panels leave free above the strip go to the strip when they make its
    /// thumbnails larger (in more rows); the preview keeps its size.
    func growStrip(_ layout: inout ExplorerLayout) {
        let metricsEnd = layout.metrics.y + MetricsPanel.naturalRows(
            heatmapRows: layout.heatmap == nil ? heatmap?.height ?? 0 : 0)
        // The sample's frame and a row of its factors under it.
        let used = [layout.latents.y + latentCount + 1, metricsEnd, layout.previewFrame.maxY,
                    layout.heatmap?.maxY ?? 0, layout.originalFrame.map { $0.maxY + 1 } ?? 0].max()!
        let budget = layout.traversal.height + max(0, layout.traversal.y - used - 1)
        func thumbnailArea(_ s: Strip) -> Int { s.thumb.width * s.thumb.height * s.visible }
        var grown: Strip = (thumb: (width: layout.thumbnailWidth, height: layout.thumbnailHeight),
                            visible: layout.visibleThumbnails, height: layout.traversal.height)
        var grownRows = layout.thumbnailRows
        for rows in 1...min(3, values) where budget / rows - 2 >= 2 {
            let candidate = strip(rows: rows, maxThumbRows: budget / rows - 2)
            if thumbnailArea(candidate) > thumbnailArea(grown) { (grown, grownRows) = (candidate, rows) }
        }
        guard grownRows != layout.thumbnailRows || grown.thumb != (layout.thumbnailWidth, layout.thumbnailHeight) else { return }
        layout.traversal = Rect(x: 0, y: layout.status.y - grown.height, width: width, height: grown.height)
        (layout.thumbnailWidth, layout.thumbnailHeight) = grown.thumb
        (layout.visibleThumbnails, layout.thumbnailRows) = (grown.visible, grownRows)
        let top = layout.traversal.y
        layout.latents = layout.latents.ending(at: top)
        layout.metrics = layout.metrics.ending(at: top)
        layout.preview = layout.preview.ending(at: top)
        layout.originalPanel = layout.originalPanel?.ending(at: top)
    }

    /// Rows neither the preview nor the strip can use (a preview width-limited, or a whole
    /// multiple short of the next; thumbnails limited by their slots) are split above and
    /// below the decoded image rather than left as one band over the strip. The sample below
    /// it and a heatmap under it keep it where it is.
    func spreadSpareRows(_ layout: inout ExplorerLayout) {
        if layout.heatmap == nil, layout.originalImage.map({ $0.y < layout.previewImage.maxY }) ?? true {
            layout.previewImage.y += max(0, layout.traversal.y - layout.previewFrame.maxY - 1) / 2
        }
    }
}

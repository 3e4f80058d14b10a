import QLXRender

/// The selected latent's whole codebook decoded as thumbnails in value order (in rows when
/// the layout has rows to spare), each framed (the current value in the accent), value
/// indices in the frames' bottom edges.
enum TraversalStrip {
    /// The values on screen and each one's frame (thumbnail, border and label): a window of
    /// values around the current one when not all fit. Drawing and mouse clicks both use it.
    static func slots(_ state: ExplorerState, layout: ExplorerLayout) -> [(value: Int, frame: Rect)] {
        let rect = layout.traversal
        let values = state.valueCount(of: state.selectedLatent)
        let visible = min(layout.visibleThumbnails, values)
        guard rect.height >= 3, visible > 0 else { return [] }
        let current = state.code[state.selectedLatent]
        let first = min(max(0, current - visible / 2), values - visible)
        let perRow = (visible + layout.thumbnailRows - 1) / layout.thumbnailRows
        let slotWidth = rect.width / perRow
        let rowHeight = layout.thumbnailHeight + 2
        return (0..<visible).map { slot in
            (first + slot, Rect(x: rect.x + slot % perRow * slotWidth + (slotWidth - layout.thumbnailWidth - 2) / 2,
                                y: rect.y + slot / perRow * rowHeight, width: layout.thumbnailWidth + 2, height: rowHeight))
        }
    }

    static func draw(_ state: ExplorerState, images: ViewImages, layout: ExplorerLayout, into grid: inout CellGrid,
                     canvas: inout ImageCanvas, glyphs: Glyphs, palette: ChromePalette) {
        let rect = layout.traversal
        let shown = slots(state, layout: layout)
        guard !shown.isEmpty else { return }
        let current = state.code[state.selectedLatent]

        for (slot, (value, frame)) in shown.enumerated() {
            if value < images.traversal.count, let image = images.traversal[value] {
                canvas.draw(image, in: Rect(x: frame.x + 1, y: frame.y + 1, width: layout.thumbnailWidth,
                                            height: layout.thumbnailHeight),
                            id: ImageCanvas.Slot.thumbnails + slot, wholeMultiples: false, into: &grid)
            }
            // Every thumbnail is framed, so a dark image on a dark terminal still shows its
            // extent; the others' frames are light and dim, so the current one stands out.
            let isCurrent = value == current
            if isCurrent {
                grid.frame(frame, glyphs: glyphs, style: Style(foreground: palette.accent, bold: true))
            } else {
                grid.frame(frame, glyphs: glyphs.lightFrame, style: Style(foreground: palette.dim))
            }
            let label = String(value)
            grid.put(label, x: frame.x + (frame.width - label.count) / 2, y: frame.maxY - 1,
                     style: isCurrent ? Style(foreground: palette.accent, bold: true, reverse: !palette.hasColor)
                                      : Style(foreground: palette.dim))
        }
        // Last, so the current value's frame (at the strip's left edge for value 0) never hides it.
        grid.put("z\(state.selectedLatent)", x: rect.x, y: rect.y, style: Style(foreground: palette.dim, bold: true))
    }
}

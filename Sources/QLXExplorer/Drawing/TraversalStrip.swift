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
        // What the current value means, on the strip's first row beside the current frame: the
        // panels may have no room for it (80×24), the strip always has this row.
        // After the current frame when that frame is at the left edge.
        // Only up to the next frame: the frames' top edges share the row, and a caption under
        // them would show in pieces between frames narrower than their slots (pixel thumbnails).
        let nameEnd = rect.x + "z\(state.selectedLatent)".count
        func freeEnd(after x: Int) -> Int { shown.map(\.frame).filter { $0.maxX > x }.map { $0.x - 1 }.min() ?? rect.maxX }
        let currentFrame = shown.first { $0.value == current }?.frame
        if let frame = currentFrame, frame.x <= nameEnd + 12 {
            drawCaption(state, x: frame.maxX + 1, y: rect.y, maxX: freeEnd(after: frame.maxX + 1), into: &grid, palette: palette)
        } else {
            drawCaption(state, x: nameEnd + 1, y: rect.y, maxX: freeEnd(after: nameEnd + 1), into: &grid, palette: palette)
        }

        for (slot, (value, frame)) in shown.enumerated() {
            if value < images.traversal.count, let image = images.traversal[value] {
                canvas.draw(image, in: frame.insideFrame, id: ImageCanvas.Slot.thumbnails + slot, wholeMultiples: false, into: &grid)
            }
            // Every thumbnail is framed, so a dark image on a dark terminal still shows its
            // extent; the others' frames are light and dim, so the current one stands out.
            let isCurrent = value == current
            grid.imageFrame(around: frame.insideFrame, highlighted: isCurrent, glyphs: glyphs, palette: palette)
            let style = isCurrent ? Style(foreground: palette.accent, bold: true, reverse: !palette.hasColor)
                                  : Style(foreground: palette.dim)
            drawLabel(value: value, meaning: meaning(state, value: value), frame: frame, style: style,
                      into: &grid, palette: palette)
        }
        // Last, so the current value's frame (at the strip's left edge for value 0) never hides it.
        grid.put("z\(state.selectedLatent)", x: rect.x, y: rect.y, style: Style(foreground: palette.dim, bold: true))
    }

    /// What the samples coded to `value` of the selected latent mostly have (its factor's
    /// most common value), once the metrics have it.
    static func meaning(_ state: ExplorerState, value: Int) -> MetricsDisplay.ValueMeaning? {
        guard let meanings = state.metrics?.valueMeanings, state.selectedLatent < meanings.count,
              value < meanings[state.selectedLatent].count else { return nil }
        return meanings[state.selectedLatent][value]
    }

    /// The value index, then its meaning as far as the frame allows: a colour swatch for a
    /// colour factor, else the factor value's name ("2 cylinder", "2 cyl").
    static func drawLabel(value: Int, meaning: MetricsDisplay.ValueMeaning?, frame: Rect, style: Style,
                          into grid: inout CellGrid, palette: ChromePalette) {
        let index = String(value)
        let y = frame.maxY - 1
        if let meaning, let rgb = meaning.colour, rgb.count == 3, palette.hasColor, frame.width >= index.count + 3 {
            let x = frame.x + (frame.width - index.count - 3) / 2
            let nx = grid.put(index + " ", x: x, y: y, style: style)
            grid.put("  ", x: nx, y: y, style: Style(background: ColorQuantizer.quantize(rgb[0], rgb[1], rgb[2], depth: palette.depth)))
            return
        }
        var label = index
        // One column left free on each side, so neighbouring labels never run together.
        if let meaning, frame.width >= index.count + 4 {
            label += " " + String(meaning.valueName.prefix(frame.width - index.count - 3))
        }
        grid.put(label, x: frame.x + (frame.width - label.count) / 2, y: y, style: style)
    }

    /// "= 7 · objectHue 2 ■ 48% · holds .39" after the latent's name: the current value's meaning and how often an
    /// intervention setting the latent holds, once the metrics have them.
    static func drawCaption(_ state: ExplorerState, x: Int, y: Int, maxX: Int, into grid: inout CellGrid,
                            palette: ChromePalette) {
        guard let metrics = state.metrics, maxX - x >= 12 else { return }
        let current = state.code[state.selectedLatent]
        guard meaning(state, value: current) != nil || metrics.interventions != nil else { return }
        let dim = Style(foreground: palette.dim)
        let dot = state.unicode ? "·" : "-"
        var nx = grid.put("= \(current)", x: x, y: y, maxWidth: maxX - x, style: dim)
        if let meaning = meaning(state, value: current) {
            let factor = meaning.factor < metrics.factorNames.count ? metrics.factorNames[meaning.factor] : "f\(meaning.factor)"
            nx = grid.put(" \(dot) \(factor) ", x: nx, y: y, maxWidth: max(0, maxX - nx), style: dim)
            if maxX - nx > meaning.valueName.count + 6 {
                nx = MetricsSection.drawFactorValue(meaning, x: nx, y: y, maxX: maxX, into: &grid, palette: palette, bold: true)
                nx = grid.put(" \(Int((meaning.share * 100).rounded()))%", x: nx, y: y, maxWidth: max(0, maxX - nx), style: dim)
            }
        }
        if let interventions = metrics.interventions, state.selectedLatent < interventions.changes.count, maxX - nx >= 13 {
            let holds = 1 - interventions.changes[state.selectedLatent][state.selectedLatent]
            grid.put(" \(dot) holds \(Format.fraction(holds))", x: nx, y: y, maxWidth: maxX - nx, style: dim)
        }
    }
}

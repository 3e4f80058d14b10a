import QLXRender

/// The 2-D sweep (`s`): the selected latent's values across, another latent's values down,
/// every other latent as now; the current code's row and column labels highlighted.
///
/// ```
/// 2-D sweep: z3 posX (columns) × z5 posY (rows)
///        0     1     2 …
///   0  [img] [img] [img]
///   1  [img] [img] [img]
/// status
/// ```
enum SweepView {
    static func draw(_ state: ExplorerState, images: ViewImages, into grid: inout CellGrid, canvas: inout ImageCanvas,
                     glyphs: Glyphs, palette: ChromePalette) {
        guard let sweep = state.sweep else { return }
        let width = grid.width, height = grid.height
        let columnLatent = state.selectedLatent, rowLatent = sweep.rowLatent
        let columns = state.valueCount(of: columnLatent), rows = state.valueCount(of: rowLatent)
        func name(_ latent: Int) -> String { "z\(latent)" + (state.encodedFactor(of: latent).map { " " + $0 } ?? "") }
        grid.put("2-D sweep: \(name(columnLatent)) (columns) \(glyphs.times) \(name(rowLatent)) (rows)", x: 0, y: 0,
                 maxWidth: width, style: Style(foreground: palette.accent, bold: true), ellipsis: glyphs.ellipsis)

        let labelWidth = 4
        let slotWidth = max(2, (width - labelWidth) / columns), slotHeight = max(1, (height - 3) / rows)
        let thumb = canvas.fittedRect(imageWidth: state.imageWidth, imageHeight: state.imageHeight,
                                      in: Rect(x: 0, y: 0, width: slotWidth - 1, height: slotHeight), wholeMultiples: false)
        let gridWidth = slotWidth * columns
        let left = labelWidth + max(0, (width - labelWidth - gridWidth) / 2)
        let top = 2
        let accent = Style(foreground: palette.accent, bold: true, reverse: !palette.hasColor)
        let dim = Style(foreground: palette.dim)
        for column in 0..<columns {
            let label = String(column)
            grid.put(label, x: left + column * slotWidth + (thumb.width - label.count) / 2, y: 1,
                     style: column == state.code[columnLatent] ? accent : dim)
        }
        for row in 0..<rows {
            let y = top + row * slotHeight
            grid.put(Format.padLeft(String(row), labelWidth - 1), x: left - labelWidth, y: y + (thumb.height - 1) / 2,
                     style: row == state.code[rowLatent] ? accent : dim)
            for column in 0..<columns {
                let index = row * columns + column
                guard index < images.sweep.count, let image = images.sweep[index] else { continue }
                canvas.draw(image, in: Rect(x: left + column * slotWidth, y: y, width: thumb.width, height: thumb.height),
                            id: ImageCanvas.Slot.sweep + index, wholeMultiples: false, into: &grid)
            }
        }
        Overlays.drawStatus(state, in: Rect(x: 0, y: height - 1, width: width, height: 1), into: &grid, glyphs: glyphs,
                            palette: palette, hints: ["←→ column latent", "↑↓ row latent", "s/Esc back"],
                            hintsAfterMessage: true)
    }
}

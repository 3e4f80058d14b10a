import QLXRender

/// The rows that explain the selected latent: what its current value means over the dataset,
/// what setting it moves (its row of the intervention matrix, under the NMI heatmap's
/// columns), and the model's DCI. They come after the heatmap in priority (the layout counts
/// on the heatmap fitting in `rowsWithHeatmap` + its rows) and before usage, reconstruction
/// and timing, which the title bar and the bars' column also show.
extension MetricsSection {
    static let interventions = MetricsSection(name: "interventions", priority: 5, rows: { c in
        c.metrics.map { $0.interventions != nil || $0.interventionsPending } ?? false ? 1 : 0
    }) { c, y, grid in
        drawInterventions(c.state, c.metrics!, x: c.rect.x, y: y, width: c.rect.width, into: &grid, glyphs: c.glyphs, palette: c.palette)
    }

    static let meaning = MetricsSection(name: "meaning", priority: 4, rows: { $0.metrics?.valueMeanings == nil ? 0 : 1 }) { c, y, grid in
        drawMeaning(c.state, c.metrics!, x: c.rect.x, y: y, width: c.rect.width, into: &grid, glyphs: c.glyphs, palette: c.palette)
    }

    static let dci = MetricsSection(name: "dci", priority: 6, rows: { $0.metrics?.dci == nil ? 0 : 1 }) { c, y, grid in
        drawDCI(c.metrics!.dci!, x: c.rect.x, y: y, width: c.rect.width, into: &grid, palette: c.palette)
    }

    /// "z8=3 · 412 · objectHue 7 88%"; a colour factor's value as a swatch after its index.
    static func drawMeaning(_ state: ExplorerState, _ metrics: MetricsDisplay, x: Int, y: Int, width: Int,
                            into grid: inout CellGrid, glyphs: Glyphs, palette: ChromePalette) {
        let latent = state.selectedLatent, value = state.code[latent]
        let dot = state.unicode ? "·" : "-"
        var nx = grid.put("z\(latent)=\(value) \(dot) ", x: x, y: y, maxWidth: width, style: Style(foreground: palette.dim))
        guard let meanings = metrics.valueMeanings, latent < meanings.count, value < meanings[latent].count,
              let meaning = meanings[latent][value] else {
            grid.put("no sample", x: nx, y: y, maxWidth: x + width - nx, style: Style(foreground: palette.dim))
            return
        }
        let factor = meaning.factor < metrics.factorNames.count ? metrics.factorNames[meaning.factor] : "f\(meaning.factor)"
        nx = grid.put("\(Format.grouped(meaning.samples)) \(dot) \(factor) ", x: nx, y: y, maxWidth: x + width - nx)
        nx = drawFactorValue(meaning, x: nx, y: y, maxX: x + width, into: &grid, palette: palette, bold: true)
        grid.put(" \(Int((meaning.share * 100).rounded()))%", x: nx, y: y, maxWidth: x + width - nx, style: Style(foreground: palette.dim))
    }

    /// A factor value: its name, or for a colour factor (and a colour terminal) its index and a
    /// two-cell swatch. Returns the column after it.
    @discardableResult
    static func drawFactorValue(_ meaning: MetricsDisplay.ValueMeaning, x: Int, y: Int, maxX: Int, into grid: inout CellGrid,
                                palette: ChromePalette, bold: Bool = false) -> Int {
        var nx = grid.put(meaning.valueName, x: x, y: y, maxWidth: maxX - x, style: bold ? .bold : Style())
        if let rgb = meaning.colour, rgb.count == 3, palette.hasColor, nx + 3 <= maxX {
            let colour = ColorQuantizer.quantize(rgb[0], rgb[1], rgb[2], depth: palette.depth)
            nx = grid.put(" ", x: nx, y: y)
            nx = grid.put("  ", x: nx, y: y, style: Style(background: colour))
        }
        return nx
    }

    /// "set z4" and one two-column cell per latent under the heatmap's columns: how often
    /// setting the selected latent changes each other one (shade), and in its own column how
    /// often it holds (hundredths).
    static func drawInterventions(_ state: ExplorerState, _ metrics: MetricsDisplay, x: Int, y: Int, width: Int,
                                  into grid: inout CellGrid, glyphs: Glyphs, palette: ChromePalette) {
        let latent = state.selectedLatent
        let nameWidth = 7
        guard let interventions = metrics.interventions, latent < interventions.changes.count else {
            grid.put("set z\(latent): interventions computing" + (state.unicode ? "…" : "..."), x: x, y: y, maxWidth: width,
                     style: Style(foreground: palette.dim))
            return
        }
        let row = interventions.changes[latent]
        grid.put(Format.padRight("set z\(latent)", nameWidth - 1), x: x, y: y, maxWidth: nameWidth - 1)
        let columns = min(row.count, (width - nameWidth) / 2)
        for k in 0..<columns {
            let cx = x + nameWidth + 2 * k
            if k == latent {
                let holds = 1 - row[k]
                let hundredths = Format.hundredths(holds)
                let digits = hundredths >= 100 ? "1." : (hundredths < 10 ? "0" : "") + String(hundredths)
                grid.put(digits, x: cx, y: y, style: Style(foreground: palette.accent, bold: true, reverse: !palette.hasColor))
            } else if palette.hasColor {
                grid.put("  ", x: cx, y: y, style: Style(background: palette.heat(row[k])))
            } else {
                let v = min(max(row[k], 0), 1)
                let shade = glyphs.shades[min(glyphs.shades.count - 1, Int(v * Double(glyphs.shades.count - 1) + 0.5))]
                grid.put(String([shade, shade]), x: cx, y: y)
            }
        }
    }

    static func drawDCI(_ dci: MetricsDisplay.DCIFigures, x: Int, y: Int, width: Int, into grid: inout CellGrid,
                        palette: ChromePalette) {
        var nx = grid.put("DCI", x: x, y: y, maxWidth: width, style: Style(foreground: palette.dim, bold: true))
        for (name, value) in [("D", dci.disentanglement), ("C", dci.completeness), ("I", dci.informativeness)] {
            nx = grid.put(" \(name) ", x: nx, y: y, maxWidth: x + width - nx, style: Style(foreground: palette.dim))
            nx = grid.put(Format.fraction(value), x: nx, y: y, maxWidth: x + width - nx, style: .bold)
        }
    }
}

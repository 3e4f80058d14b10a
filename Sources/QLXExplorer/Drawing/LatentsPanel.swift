import QLXRender

/// One row per latent: index, the factor it mainly encodes with its NMI, its codebook as a
/// ruler of ticks (current value highlighted), a usage histogram and the current value.
///
/// ```
///    z factor nmi codebook     usage      value
/// ▸  0 posX   .82 ┼─┼─┼─█─┼─┼─ ▁▃█▅▂▁···· -0.17
/// ```
enum LatentsPanel {
    /// Columns before the ruler: marker, index (2), factor (6), NMI (3) and the gaps.
    static let fixedColumns = 15
    static let valueColumns = 6

    static func draw(_ state: ExplorerState, in rect: Rect, into grid: inout CellGrid,
                     glyphs: Glyphs, palette: ChromePalette) {
        guard rect.height >= 2, rect.width >= fixedColumns + 4 else { return }
        let values = state.valuesPerLatent
        // The ruler gets what is left; the value column goes first when room is short.
        var rulerWidth = rect.width - fixedColumns - (values + 1) - valueColumns
        var showValue = true
        if rulerWidth < values {
            showValue = false
            rulerWidth = rect.width - fixedColumns - (values + 1)
        }
        rulerWidth = min(max(rulerWidth, 3), 3 * values + 1)
        let usageX = rect.x + fixedColumns + rulerWidth + 1
        let valueX = usageX + values

        // Header.
        let header = Style(foreground: palette.dim, bold: true)
        grid.put(" z factor nmi", x: rect.x + 1, y: rect.y, style: header)
        grid.put("codebook", x: rect.x + fixedColumns, y: rect.y, maxWidth: rulerWidth, style: header)
        grid.put(values >= 5 ? "usage" : "use", x: usageX, y: rect.y, maxWidth: values, style: header)
        if showValue { grid.put(Format.padLeft("value", valueColumns), x: valueX, y: rect.y, style: header) }

        // Rows, scrolled so the selected latent stays visible.
        let rows = rect.height - 1
        let first = min(max(0, state.selectedLatent - rows / 2), max(0, state.latentCount - rows))
        for latent in first..<min(state.latentCount, first + rows) {
            let y = rect.y + 1 + latent - first
            let selected = latent == state.selectedLatent
            let label = Style(bold: selected, reverse: selected)
            grid.put(selected ? glyphs.selected : " ", x: rect.x, y: y, style: .bold)
            var text = Format.padLeft(String(latent), 2) + " "
            if let metrics = state.metrics, latent < metrics.activeLatents.count, !metrics.activeLatents[latent] {
                text += "off    -- "
            } else if let (factor, nmi) = state.metrics?.mainNMI(of: latent) {
                let name = factor < state.factorNames.count ? state.factorNames[factor] : "f\(factor)"
                text += Format.padRight(name, 6) + " " + Format.fraction(nmi)
            } else {
                text += Format.padRight("", 10)
            }
            grid.put(text + " ", x: rect.x + 1, y: y, style: label)
            drawRuler(state.codebooks[latent], current: state.code[latent], x: rect.x + fixedColumns, y: y,
                      width: rulerWidth, into: &grid, glyphs: glyphs, palette: palette)
            drawUsage(state.metrics?.usageCounts.flatMap { latent < $0.count ? $0[latent] : nil },
                      current: state.code[latent], x: usageX, y: y, into: &grid, glyphs: glyphs, palette: palette)
            if showValue {
                let value = Format.decimal(Double(state.codebooks[latent][state.code[latent]]), places: 2)
                grid.put(Format.padLeft(value, valueColumns), x: valueX, y: y, style: Style(bold: selected))
            }
        }
    }

    /// The codebook on a number line from its smallest to its largest value.
    static func drawRuler(_ codebook: [Float], current: Int, x: Int, y: Int, width: Int,
                          into grid: inout CellGrid, glyphs: Glyphs, palette: ChromePalette) {
        let lo = codebook.min() ?? 0, hi = codebook.max() ?? 0
        func column(_ v: Float) -> Int {
            hi > lo ? Int(((v - lo) / (hi - lo) * Float(width - 1)).rounded()) : (width - 1) / 2
        }
        let line = Style(foreground: palette.dim)
        for offset in 0..<width { grid.put(glyphs.rule, x: x + offset, y: y, style: line) }
        for value in codebook { grid.put(glyphs.tick, x: x + column(value), y: y) }
        grid.put(glyphs.currentTick, x: x + column(codebook[current]), y: y,
                 style: Style(foreground: palette.accent, bold: true))
    }

    /// How often each value was used in the evaluation samples, as bar heights; blank
    /// until the figures exist.
    static func drawUsage(_ counts: [Int]?, current: Int, x: Int, y: Int, into grid: inout CellGrid,
                          glyphs: Glyphs, palette: ChromePalette) {
        guard let counts, let peak = counts.max(), peak > 0 else { return }
        for (value, count) in counts.enumerated() {
            let level = count == 0 ? -1 : min(glyphs.spark.count - 1, count * glyphs.spark.count / (peak + 1))
            let isCurrent = value == current
            let style = isCurrent ? Style(foreground: palette.accent, bold: true, reverse: !palette.hasColor)
                                  : Style(foreground: count == 0 ? palette.dim : .default)
            grid.put(level < 0 ? glyphs.dead : glyphs.spark[level], x: x + value, y: y, style: style)
        }
    }
}

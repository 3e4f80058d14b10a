import QLXRender

/// One row per latent: index, the factor it mainly encodes with its NMI, its codebook as a
/// ruler of ticks (current value highlighted), a usage histogram and the current value.
///
/// ```
///    z factor nmi codebook     usage      value
/// ▸  0 posX   .82 ┼─┼─┼─█─┼─┼─ ▁▃█▅▂▁···· -0.17
/// ```
enum LatentsPanel {
    /// Columns before the ruler: marker, index (2), factor (6, more in a wide panel), NMI (3)
    /// and the gaps.
    static let fixedColumns = 15
    static let valueColumns = 6

    static func draw(_ state: ExplorerState, in rect: Rect, into grid: inout CellGrid,
                     glyphs: Glyphs, palette: ChromePalette) {
        guard rect.height >= 2, rect.width >= fixedColumns + 4 else { return }
        let values = state.valuesPerLatent
        let usage = usageColumns(values: values, available: rect.width - fixedColumns)
        // The ruler gets what is left; the value column goes first when room is short.
        var rulerWidth = rect.width - fixedColumns - (usage.columns + 1) - valueColumns
        var showValue = true
        if rulerWidth < values {
            showValue = false
            rulerWidth = rect.width - fixedColumns - (usage.columns + 1)
        }
        rulerWidth = min(max(rulerWidth, 3), 3 * values + 1)
        // Factor names past six characters ("orientation") take the columns a wide panel has:
        // what the ruler has beyond two per value, and any left after the value column.
        let spare = rect.width - fixedColumns - min(rulerWidth, 2 * values + 1) - (usage.columns + 1)
            - (showValue ? valueColumns : 0)
        let longest = state.metrics == nil ? 0 : state.factorNames.map(\.count).max() ?? 0
        let extra = min(max(0, spare), max(0, longest - 6))
        rulerWidth = min(rulerWidth, rect.width - fixedColumns - extra - (usage.columns + 1) - (showValue ? valueColumns : 0))
        let factorWidth = 6 + extra
        let rulerX = rect.x + fixedColumns + extra
        let usageX = rulerX + rulerWidth + 1
        let valueX = usageX + usage.columns

        // Header.
        let header = Style(foreground: palette.dim, bold: true)
        grid.put(" z " + Format.padRight("factor", factorWidth) + " nmi", x: rect.x + 1, y: rect.y, style: header)
        grid.put("codebook", x: rulerX, y: rect.y, maxWidth: rulerWidth, style: header)
        grid.put(usage.columns >= 5 ? "usage" : "use", x: usageX, y: rect.y, maxWidth: usage.columns, style: header)
        if showValue { grid.put(Format.padLeft("value", valueColumns), x: valueX, y: rect.y, style: header) }

        for (latent, y) in visibleRows(state, in: rect) {
            let selected = latent == state.selectedLatent
            let label = Style(bold: selected, reverse: selected)
            grid.put(selected ? glyphs.selected : " ", x: rect.x, y: y, style: .bold)
            var text = Format.padLeft(String(latent), 2) + " "
            if let metrics = state.metrics, latent < metrics.activeLatents.count, !metrics.activeLatents[latent] {
                text += Format.padRight("off", factorWidth) + " -- "
            } else if let (factor, nmi) = state.metrics?.mainNMI(of: latent) {
                let name = state.factorName(factor)
                text += Format.padRight(name, factorWidth) + " " + Format.fraction(nmi)
            } else {
                text += Format.padRight("", factorWidth + 4)
            }
            grid.put(text + " ", x: rect.x + 1, y: y, style: label)
            drawRuler(state.codebooks[latent], current: state.code[latent], x: rulerX, y: y,
                      width: rulerWidth, into: &grid, glyphs: glyphs, palette: palette)
            drawUsage(state.metrics?.usageCounts.flatMap { latent < $0.count ? $0[latent] : nil },
                      current: state.code[latent], valuesPerColumn: usage.valuesPerColumn, x: usageX, y: y,
                      into: &grid, glyphs: glyphs, palette: palette)
            if showValue {
                let value = Format.decimal(Double(state.codebooks[latent][state.code[latent]]), places: 2)
                grid.put(Format.padLeft(value, valueColumns), x: valueX, y: y, style: Style(bold: selected))
            }
        }
    }

    /// The latents on screen and each one's row, scrolled so the selected latent stays
    /// visible (under the header). Drawing and mouse clicks both use it.
    static func visibleRows(_ state: ExplorerState, in rect: Rect) -> [(latent: Int, y: Int)] {
        let rows = rect.height - 1
        guard rows > 0 else { return [] }
        let first = min(max(0, state.selectedLatent - rows / 2), max(0, state.latentCount - rows))
        return (first..<min(state.latentCount, first + rows)).map { ($0, rect.y + 1 + $0 - first) }
    }

    /// The narrowest width that keeps every column: a ruler column per value, the usage
    /// histogram, the value.
    static func compactWidth(values: Int) -> Int {
        let usage = usageColumns(values: values, available: 3 * values)
        return fixedColumns + values + 1 + usage.columns + valueColumns
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

    /// Columns of the usage histogram: one per value while that leaves the ruler
    /// `minimumRuler` columns; otherwise each column stands for several neighbouring values
    /// (a 32-value codebook in an 80-column terminal), so the histogram is never cut off.
    static func usageColumns(values: Int, available: Int, minimumRuler: Int = 8) -> (columns: Int, valuesPerColumn: Int) {
        var perColumn = 1
        func columns(_ per: Int) -> Int { (values + per - 1) / per }
        while perColumn < values, available - columns(perColumn) - 1 < min(minimumRuler, values) { perColumn += 1 }
        return (columns(perColumn), perColumn)
    }

    /// How often each value was used in the evaluation samples, as bar heights (the mean over
    /// the values a column stands for); blank until the figures exist.
    static func drawUsage(_ counts: [Int]?, current: Int, valuesPerColumn: Int = 1, x: Int, y: Int,
                          into grid: inout CellGrid, glyphs: Glyphs, palette: ChromePalette) {
        guard let counts, !counts.isEmpty else { return }
        let bins = stride(from: 0, to: counts.count, by: valuesPerColumn).map { start in
            let members = counts[start..<min(start + valuesPerColumn, counts.count)]
            return (mean: Double(members.reduce(0, +)) / Double(members.count), anyUsed: members.contains { $0 > 0 })
        }
        guard let peak = bins.map(\.mean).max(), peak > 0 else { return }
        for (column, bin) in bins.enumerated() {
            let level = bin.anyUsed ? min(glyphs.spark.count - 1, Int(bin.mean * Double(glyphs.spark.count) / (peak + 1))) : -1
            let isCurrent = column == current / valuesPerColumn
            let style = isCurrent ? Style(foreground: palette.accent, bold: true, reverse: !palette.hasColor)
                                  : Style(foreground: bin.anyUsed ? .default : palette.dim)
            grid.put(level < 0 ? glyphs.dead : glyphs.spark[level], x: x + column, y: y, style: style)
        }
    }
}

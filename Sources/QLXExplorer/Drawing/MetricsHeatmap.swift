import QLXRender

/// The metrics panel's NMI heatmap, also drawn under the images when the panel has no room.
extension MetricsSection {
    static let heatmap = MetricsSection(name: "heatmap", priority: 3, rows: { $0.metrics.map { $0.nmi.count + 1 } ?? 0 }) { c, y, grid in
        drawHeatmap(c.state, c.metrics!, x: c.rect.x, y: y, width: c.rect.width, into: &grid, glyphs: c.glyphs, palette: c.palette)
    }

    /// Rows and columns the heatmap needs.
    static func heatmapSize(_ metrics: MetricsDisplay) -> (width: Int, height: Int) {
        (7 + 2 * (metrics.nmi.first?.count ?? 0), metrics.nmi.count + 1)
    }

    /// Whether latent `latent`'s number heads its heatmap column. Columns are two cells wide, so
    /// two-digit numbers side by side would run together ("91011"): past ten latents only
    /// every fifth number and the selected one are shown, and none beside a two-digit
    /// selected one.
    static func heatmapLabelShown(_ latent: Int, selected: Int, count: Int) -> Bool {
        guard count > 10, latent != selected else { return true }
        if abs(latent - selected) == 1 && max(latent, selected) >= 10 { return false }
        return latent % 5 == 0
    }

    /// Sources × latents, two columns per latent; the selected column shows its NMI in
    /// tenths (`Format.twoColumnFraction`), the others only as shade (colour, or shade characters without colour).
    static func drawHeatmap(_ state: ExplorerState, _ metrics: MetricsDisplay, x: Int, y: Int, width: Int,
                            into grid: inout CellGrid, glyphs: Glyphs, palette: ChromePalette) {
        // Factor names get seven columns (six characters and a gap), more when the width
        // has them beyond the latents' columns.
        let latents = metrics.nmi.first?.count ?? 0
        let longest = metrics.factorNames.map(\.count).max() ?? 0
        let nameWidth = min(max(7, longest + 1), max(7, width - 2 * latents))
        let columns = min(latents, (width - nameWidth) / 2)
        grid.put("NMI", x: x, y: y, style: Style(foreground: palette.dim, bold: true))
        for latent in 0..<columns where heatmapLabelShown(latent, selected: state.selectedLatent, count: columns) {
            let selected = latent == state.selectedLatent
            grid.put(Format.padLeft(String(latent % 100), 2), x: x + nameWidth + 2 * latent, y: y,
                     style: selected ? Style(foreground: palette.accent, bold: true, reverse: !palette.hasColor)
                                     : Style(foreground: palette.dim))
        }
        for (factor, row) in metrics.nmi.enumerated() {
            let name = factor < metrics.factorNames.count ? metrics.factorNames[factor] : "f\(factor)"
            grid.put(Format.padRight(name, nameWidth - 1), x: x, y: y + 1 + factor)
            for latent in 0..<columns where latent < row.count {
                let v = row[latent]
                let cx = x + nameWidth + 2 * latent, cy = y + 1 + factor
                if latent == state.selectedLatent {
                    // Tenths rounded from the latents list's hundredths; zeros stay unhighlighted.
                    let digits = Format.twoColumnFraction(v)
                    let style = digits == ".0"
                        ? Style(foreground: palette.dim, background: palette.hasColor ? palette.heat(v) : .default)
                        : Style(foreground: palette.onHeat(v), background: palette.heat(v), bold: true, reverse: !palette.hasColor)
                    grid.put(digits, x: cx, y: cy, style: style)
                } else if palette.hasColor {
                    grid.put("  ", x: cx, y: cy, style: Style(background: palette.heat(v)))
                } else {
                    let shade = glyphs.shades[min(glyphs.shades.count - 1, Int(min(max(v, 0), 1) * Double(glyphs.shades.count - 1) + 0.5))]
                    grid.put(String([shade, shade]), x: cx, y: cy)
                }
            }
        }
    }
}

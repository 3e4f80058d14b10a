import Foundation
import QLXRender

/// InfoM/InfoE/InfoC bars, the NMI heatmap (selected latent's column highlighted),
/// reconstruction figures, the selected latent's codebook usage, decode and frame time.
/// Sections that do not fit are left out, least important first.
enum MetricsPanel {
    private enum Section: Int, CaseIterable {
        // Display order; `priority` decides what stays when rows are short.
        case header, bars, comparison, heatmap, reconstruction, usage, timing
        var priority: Int {
            switch self {
            case .header: return 0
            case .bars: return 1
            case .comparison: return 2
            case .heatmap: return 3
            case .usage: return 4
            case .reconstruction: return 5
            case .timing: return 6
            }
        }
    }

    /// Rows of the sections placed before the heatmap (header and bars): the panel holds the
    /// heatmap when it has these plus the heatmap's rows.
    static let rowsWithHeatmap = 1 + 3

    /// Rows the panel fills with every section (reconstruction, usage and timing after the
    /// heatmap).
    static func naturalRows(heatmapRows: Int) -> Int { rowsWithHeatmap + heatmapRows + 3 }

    /// Returns whether the NMI heatmap was drawn (the view may place it elsewhere if not).
    @discardableResult
    static func draw(_ state: ExplorerState, in rect: Rect, into grid: inout CellGrid,
                     glyphs: Glyphs, palette: ChromePalette) -> Bool {
        guard rect.height >= 1, rect.width >= 20 else { return false }
        let metrics = state.metrics
        // Reconstruction figures sit beside the bars when the panel is wide enough.
        let reconstructionBesideBars = rect.width >= reconstructionColumns + 26
        func rows(_ section: Section) -> Int {
            switch section {
            case .header: return 1
            case .bars: return rowsWithHeatmap - 1
            case .comparison: return state.comparisonName == nil ? 0 : 1
            case .heatmap: return metrics.map { $0.nmi.count + 1 } ?? 0
            case .reconstruction: return metrics?.reconstruction == nil || reconstructionBesideBars ? 0 : 1
            case .usage: return metrics?.usageCounts == nil ? 0 : 1
            case .timing: return 1
            }
        }
        var chosen = Set<Section>()
        var used = 0
        for section in Section.allCases.sorted(by: { $0.priority < $1.priority }) {
            let need = rows(section)
            if need > 0 && used + need <= rect.height {
                chosen.insert(section)
                used += need
            }
        }
        var y = rect.y
        for section in Section.allCases where chosen.contains(section) {
            switch section {
            case .header: drawHeader(state, x: rect.x, y: y, width: rect.width, into: &grid, glyphs: glyphs, palette: palette)
            case .bars:
                let barsWidth = reconstructionBesideBars ? rect.width - reconstructionColumns : rect.width
                drawBars(metrics, x: rect.x, y: y, width: barsWidth, into: &grid, glyphs: glyphs, palette: palette)
                if reconstructionBesideBars, let r = metrics?.reconstruction {
                    drawReconstructionColumn(r, x: rect.x + barsWidth + 1, y: y, into: &grid, palette: palette)
                }
            case .comparison: drawComparison(state, x: rect.x, y: y, width: rect.width, into: &grid, glyphs: glyphs, palette: palette)
            case .heatmap: drawHeatmap(state, metrics!, x: rect.x, y: y, width: rect.width, into: &grid, glyphs: glyphs, palette: palette)
            case .reconstruction: drawReconstruction(metrics!.reconstruction!, x: rect.x, y: y, width: rect.width, into: &grid, palette: palette)
            case .usage: drawUsage(state, metrics!, x: rect.x, y: y, width: rect.width, into: &grid, palette: palette)
            case .timing: drawTiming(state, x: rect.x, y: y, width: rect.width, into: &grid, palette: palette)
            }
            y += rows(section)
        }
        return chosen.contains(.heatmap)
    }

    /// Rows and columns the heatmap needs.
    static func heatmapSize(_ metrics: MetricsDisplay) -> (width: Int, height: Int) {
        (7 + 2 * (metrics.nmi.first?.count ?? 0), metrics.nmi.count + 1)
    }

    static func drawHeader(_ state: ExplorerState, x: Int, y: Int, width: Int, into grid: inout CellGrid,
                           glyphs: Glyphs, palette: ChromePalette) {
        var text = "metrics"
        switch state.metricsProgress {
        case .running(let fraction, let samples):
            let percent = Int((fraction * 100).rounded(.down))
            text += " · computing \(percent)% of \(Format.grouped(samples))"
        case .failed(let message):
            text += " · failed: \(message)"
        case .notStarted, .finished:
            if let metrics = state.metrics {
                text += " · \(metrics.origin == .checkpoint ? "stored" : "computed"), \(Format.grouped(metrics.samples)) samples"
            } else {
                text += " · none"
            }
        }
        if !state.unicode { text = text.replacingOccurrences(of: "·", with: "-") }
        grid.put(text, x: x, y: y, maxWidth: width, style: Style(foreground: palette.dim, bold: true),
                 ellipsis: glyphs.ellipsis)
        if case .running(let fraction, _) = state.metricsProgress {
            // A thin progress bar in the row's free columns.
            let start = x + text.count + 1, barWidth = x + width - start
            if barWidth >= 4 {
                let filled = Int((fraction * Double(barWidth)).rounded(.down))
                for i in 0..<barWidth {
                    grid.put(i < filled ? glyphs.barFull : glyphs.barEmpty, x: start + i, y: y,
                             style: Style(foreground: i < filled ? palette.bar : palette.dim))
                }
            }
        }
    }

    /// `qlx explore A B`: B's figures in one row below A's bars ("B InfoM .42 InfoE .61 InfoC .30").
    static func drawComparison(_ state: ExplorerState, x: Int, y: Int, width: Int, into grid: inout CellGrid,
                               glyphs: Glyphs, palette: ChromePalette) {
        let figures = [("InfoM", state.comparisonMetrics?.infoM), ("InfoE", state.comparisonMetrics?.infoE),
                       ("InfoC", state.comparisonMetrics?.infoC)]
            .map { "\($0) \($1.map(Format.fraction) ?? " --")" }.joined(separator: "  ")
        grid.put("B \(figures)", x: x, y: y, maxWidth: width, style: .bold, ellipsis: glyphs.ellipsis)
    }

    static func drawBars(_ metrics: MetricsDisplay?, x: Int, y: Int, width: Int, into grid: inout CellGrid,
                         glyphs: Glyphs, palette: ChromePalette) {
        let rows: [(String, Double?)] = [("InfoM", metrics?.infoM), ("InfoE", metrics?.infoE), ("InfoC", metrics?.infoC)]
        let barWidth = width - 11
        for (row, (name, value)) in rows.enumerated() {
            grid.put(name, x: x, y: y + row)
            guard barWidth > 0 else { continue }
            let filled = value.map { Int((min(max($0, 0), 1) * Double(barWidth)).rounded()) } ?? 0
            for i in 0..<barWidth {
                grid.put(i < filled ? glyphs.barFull : glyphs.barEmpty, x: x + 6 + i, y: y + row,
                         style: Style(foreground: i < filled ? palette.bar : palette.dim))
            }
            grid.put(value.map(Format.fraction) ?? " --", x: x + 7 + barWidth, y: y + row, style: .bold)
        }
    }

    /// Sources × latents, two columns per latent; the selected column shows its NMI in
    /// hundredths, the others only as shade (colour, or shade characters without colour).
    static func drawHeatmap(_ state: ExplorerState, _ metrics: MetricsDisplay, x: Int, y: Int, width: Int,
                            into grid: inout CellGrid, glyphs: Glyphs, palette: ChromePalette) {
        let nameWidth = 7
        let columns = min(metrics.nmi.first?.count ?? 0, (width - nameWidth) / 2)
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
                    // Hundredths as the latents list rounds them; zeros stay unhighlighted.
                    let hundredths = Format.hundredths(v)
                    let digits = hundredths >= 100 ? "1." : (hundredths < 10 ? "0" : "") + String(hundredths)
                    let style = hundredths == 0
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

    /// Whether latent `latent`'s number heads its heatmap column. Columns are two cells wide, so
    /// two-digit numbers side by side would run together ("91011"): past ten latents only
    /// every fifth number and the selected one are shown, and none beside a two-digit
    /// selected one.
    static func heatmapLabelShown(_ latent: Int, selected: Int, count: Int) -> Bool {
        guard count > 10, latent != selected else { return true }
        if abs(latent - selected) == 1 && max(latent, selected) >= 10 { return false }
        return latent % 5 == 0
    }

    /// Width of the reconstruction column beside the bars ("PSNR 24.1 dB").
    static let reconstructionColumns = 14

    static func drawReconstructionColumn(_ r: MetricsDisplay.Reconstruction, x: Int, y: Int, into grid: inout CellGrid,
                                         palette: ChromePalette) {
        let rows = [("BCE", Format.decimal(r.bce, places: 4)), ("MSE", Format.decimal(r.mse, places: 4)),
                    ("PSNR", Format.decimal(r.psnr, places: 1) + "dB")]
        for (row, (name, value)) in rows.enumerated() {
            let nx = grid.put(name, x: x, y: y + row, style: Style(foreground: palette.dim))
            grid.put(Format.padLeft(value, reconstructionColumns - 1 - (nx - x)), x: nx, y: y + row)
        }
    }

    static func drawReconstruction(_ r: MetricsDisplay.Reconstruction, x: Int, y: Int, width: Int,
                                   into grid: inout CellGrid, palette: ChromePalette) {
        let text = "BCE \(Format.decimal(r.bce, places: 4)) MSE \(Format.decimal(r.mse, places: 4)) PSNR \(Format.decimal(r.psnr, places: 1))"
        grid.put(text, x: x, y: y, maxWidth: width)
    }

    static func drawUsage(_ state: ExplorerState, _ metrics: MetricsDisplay, x: Int, y: Int, width: Int,
                          into grid: inout CellGrid, palette: ChromePalette) {
        let latent = state.selectedLatent
        guard let counts = metrics.usageCounts, latent < counts.count else { return }
        let used = counts[latent].filter { $0 > 0 }.count
        var text = "z\(latent) uses \(used)/\(counts[latent].count) values"
        if let perplexity = metrics.perplexity, latent < perplexity.count {
            text += ", perplexity \(Format.decimal(perplexity[latent], places: 1))"
        }
        grid.put(text, x: x, y: y, maxWidth: width)
    }

    static func drawTiming(_ state: ExplorerState, x: Int, y: Int, width: Int, into grid: inout CellGrid,
                           palette: ChromePalette) {
        func ms(_ value: Double?) -> String { value.map { Format.decimal($0, places: 1) + " ms" } ?? "--" }
        grid.put("decode \(ms(state.decodeMilliseconds))  frame \(ms(state.frameMilliseconds))", x: x, y: y,
                 maxWidth: width, style: Style(foreground: palette.dim))
    }
}

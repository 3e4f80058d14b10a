import Foundation
import QLXMetrics
import QLXRender

// The metrics panel's sections (`MetricsPanel.sections` lists them in drawing order).
extension MetricsSection {
    static let header = MetricsSection(name: "header", priority: 0, rows: { _ in 1 }) { c, y, grid in
        drawHeader(c.state, x: c.rect.x, y: y, width: c.rect.width, into: &grid, glyphs: c.glyphs, palette: c.palette)
    }

    static let bars = MetricsSection(name: "bars", priority: 1, rows: { _ in MetricsPanel.rowsWithHeatmap - 1 }) { c, y, grid in
        let barsWidth = c.reconstructionBesideBars ? c.rect.width - reconstructionColumns : c.rect.width
        drawBars(c.metrics, x: c.rect.x, y: y, width: barsWidth, into: &grid, glyphs: c.glyphs, palette: c.palette)
        if c.reconstructionBesideBars, let r = c.metrics?.reconstruction {
            drawReconstructionColumn(r, x: c.rect.x + barsWidth + 1, y: y, into: &grid, palette: c.palette)
        }
    }

    static let comparison = MetricsSection(name: "comparison", priority: 2,
                                           rows: { $0.state.comparisonName == nil ? 0 : 1 }) { c, y, grid in
        drawComparison(c.state, x: c.rect.x, y: y, width: c.rect.width, into: &grid, glyphs: c.glyphs, palette: c.palette)
    }

    static let reconstruction = MetricsSection(name: "reconstruction", priority: 5, rows: { c in
        c.metrics?.reconstruction == nil || c.reconstructionBesideBars ? 0 : 1
    }) { c, y, grid in
        drawReconstruction(c.metrics!.reconstruction!, x: c.rect.x, y: y, width: c.rect.width, into: &grid, palette: c.palette)
    }

    static let usage = MetricsSection(name: "usage", priority: 4, rows: { $0.metrics?.usageCounts == nil ? 0 : 1 }) { c, y, grid in
        drawUsage(c.state, c.metrics!, x: c.rect.x, y: y, width: c.rect.width, into: &grid, palette: c.palette)
    }

    static let timing = MetricsSection(name: "timing", priority: 6, rows: { _ in 1 }) { c, y, grid in
        drawTiming(c.state, x: c.rect.x, y: y, width: c.rect.width, into: &grid, palette: c.palette)
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
        let figures = scoreRows(state.comparisonMetrics)
            .map { "\($0) \($1.map(Format.fraction) ?? " --")" }.joined(separator: "  ")
        grid.put("B \(figures)", x: x, y: y, maxWidth: width, style: .bold, ellipsis: glyphs.ellipsis)
    }

    static func drawBars(_ metrics: MetricsDisplay?, x: Int, y: Int, width: Int, into grid: inout CellGrid,
                         glyphs: Glyphs, palette: ChromePalette) {
        let barWidth = width - 11
        for (row, (name, value)) in scoreRows(metrics).enumerated() {
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

    /// InfoM, InfoE and InfoC by name; no values before there are metrics.
    static func scoreRows(_ metrics: MetricsDisplay?) -> [(name: String, value: Double?)] {
        let values = metrics.map { $0.infoMEC.scores.map(Optional.some) } ?? InfoMECResult.scoreNames.map { _ in nil }
        return Array(zip(InfoMECResult.scoreNames, values)).map { (name: $0.0, value: $0.1) }
    }

    /// Width of the reconstruction column beside the bars ("PSNR 24.1 dB").
    static let reconstructionColumns = 14

    static func drawReconstructionColumn(_ r: ReconstructionMetrics, x: Int, y: Int, into grid: inout CellGrid,
                                         palette: ChromePalette) {
        let rows = [("BCE", Format.decimal(r.bce, places: 4)), ("MSE", Format.decimal(r.mse, places: 4)),
                    ("PSNR", Format.decimal(r.psnr, places: 1) + "dB")]
        for (row, (name, value)) in rows.enumerated() {
            let nx = grid.put(name, x: x, y: y + row, style: Style(foreground: palette.dim))
            grid.put(Format.padLeft(value, reconstructionColumns - 1 - (nx - x)), x: nx, y: y + row)
        }
    }

    static func drawReconstruction(_ r: ReconstructionMetrics, x: Int, y: Int, width: Int,
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

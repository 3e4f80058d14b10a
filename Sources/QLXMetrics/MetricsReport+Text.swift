import Foundation

/// The report as text for a terminal: summary, NMI heatmap (rows sources, columns latents),
/// NMI values, per-source and per-latent tables. Pure: the same report gives the same text.
extension MetricsReport {
    /// Styles one heatmap cell for a terminal: `value` is its NMI in [0, 1], nil for an
    /// inactive latent. The report itself writes no escape sequences; the caller, which knows
    /// the terminal, supplies them (`qlx metrics` passes QLXRender's `ANSI.heatmapCell`).
    public typealias HeatmapStyle = (_ cell: String, _ value: Double?) -> String

    /// `style` colours the heatmap's cells (nil: plain text); `unicode` false draws with
    /// ASCII only.
    public func text(unicode: Bool = true, style: HeatmapStyle? = nil) -> String {
        var lines = summaryLines()
        lines.append("")
        lines += heatmapLines(unicode: unicode, style: style)
        lines.append("")
        lines += nmiTableLines()
        lines.append("")
        lines += sourceTableLines()
        lines.append("")
        lines += latentTableLines(unicode: unicode)
        return lines.joined(separator: "\n") + "\n"
    }

    func summaryLines() -> [String] {
        var lines = [
            "InfoMEC on \(samples) samples, \(latentCount) \(latentKind.rawValue) latents (\(activeLatentCount) active), \(factorNames.count) factors",
            "  InfoM \(fixed(infoMEC.infoM, 3))   modularity: each active latent captures one factor",
            "  InfoE \(fixed(infoMEC.infoE, 3))   explicitness: factors are linearly decodable from the latents",
            "  InfoC \(fixed(infoMEC.infoC, 3))   compactness: each factor is captured by one latent",
            "  MIG   \(fixed(infoMEC.mig, 3))   mutual information gap",
        ]
        if let c = chance {
            lines.append("Chance level (the same latents with their rows shuffled, seed \(c.seed)):")
            lines.append("  InfoM \(fixed(c.infoM, 3))   InfoE \(fixed(c.infoE, 3))   InfoC \(fixed(c.infoC, 3))   MIG \(fixed(c.mig, 3))")
        }
        if let r = reconstruction {
            lines.append("Reconstruction: BCE \(fixed(r.bce, 4))  MSE \(fixed(r.mse, 5))  PSNR \(fixed(r.psnr, 1)) dB")
        }
        return lines
    }

    static let shades: [Character] = [" ", "░", "▒", "▓", "█"]
    static let asciiShades: [Character] = [" ", ".", ":", "+", "#"]

    /// One row per source, one 3-character cell per latent; inactive latents dimmed with ·.
    func heatmapLines(unicode: Bool, style: HeatmapStyle?) -> [String] {
        let nameWidth = max(factorNames.map(\.count).max() ?? 0, 6)
        let shades = unicode ? Self.shades : Self.asciiShades
        var lines = ["NMI heatmap (rows: factors, columns: latents; \(unicode ? "░▒▓█ = 0…1, · inactive" : ".:+# = 0...1, . inactive"))"]
        lines.append(pad("", nameWidth) + " " + (0..<latentCount).map { pad("z\($0)", 3, right: true) }.joined(separator: " "))
        for (i, name) in factorNames.enumerated() {
            var row = pad(name, nameWidth) + " "
            for j in 0..<latentCount {
                let value = min(max(infoMEC.nmi[i][j], 0), 1)
                var cell: String
                if !infoMEC.activeLatents[j] {
                    cell = unicode ? " · " : " . "
                } else {
                    cell = String(repeating: shades[min(4, Int((value * 4).rounded()))], count: 3)
                }
                if let style { cell = style(cell, infoMEC.activeLatents[j] ? value : nil) }
                row += cell + (j + 1 < latentCount ? " " : "")
            }
            lines.append(row)
        }
        return lines
    }

    func nmiTableLines() -> [String] {
        let nameWidth = max(factorNames.map(\.count).max() ?? 0, 6)
        var lines = ["NMI (I(s;z)/H(s))"]
        lines.append(pad("", nameWidth) + " " + (0..<latentCount).map { pad("z\($0)", 5, right: true) }.joined(separator: " "))
        for (i, name) in factorNames.enumerated() {
            lines.append(pad(name, nameWidth) + " " + infoMEC.nmi[i].map { pad(fixed($0, 2), 5, right: true) }.joined(separator: " "))
        }
        return lines
    }

    func sourceTableLines() -> [String] {
        let nameWidth = max(factorNames.map(\.count).max() ?? 0, 6)
        var lines = [pad("factor", nameWidth) + "  H(s) nats  explicitness" + (chance != nil ? "  chance" : "")
                     + "  best latent  NMI"]
        for (i, name) in factorNames.enumerated() {
            let best = infoMEC.nmi[i].indices.max { infoMEC.nmi[i][$0] < infoMEC.nmi[i][$1] } ?? 0
            var line = pad(name, nameWidth) + "  " + pad(fixed(infoMEC.sourceEntropies[i], 3), 10, right: true)
                + "  " + pad(fixed(infoMEC.explicitnessPerSource[i], 3), 12, right: true)
            if let c = chance { line += "  " + pad(fixed(c.explicitnessPerSource[i], 3), 6, right: true) }
            lines.append(line + "  " + pad("z\(best)", 11, right: true) + "  " + fixed(infoMEC.nmi[i][best], 2))
        }
        return lines
    }

    func latentTableLines(unicode: Bool) -> [String] {
        let hasUsage = codebookUsage != nil
        var header = "latent  active  factor" + String(repeating: " ", count: 8)
        if hasUsage { header += "perplexity  dead  usage" }
        var lines = [header]
        for j in 0..<latentCount {
            let factor = infoMEC.latentFactor[j].map { factorNames[$0] } ?? "-"
            var line = pad("z\(j)", 6) + "  " + pad(infoMEC.activeLatents[j] ? "yes" : "no", 6) + "  " + pad(factor, 12) + "  "
            if let usage = codebookUsage?[j] {
                line += pad("\(fixed(usage.perplexity, 1))/\(usage.counts.count)", 10, right: true) + "  "
                line += pad("\(usage.deadValues.count)", 4, right: true) + "  " + sparkline(usage.counts, unicode: unicode)
            }
            lines.append(line)
        }
        return lines
    }

    /// One character per codebook value, its height proportional to the value's count.
    func sparkline(_ counts: [Int], unicode: Bool) -> String {
        let bars: [Character] = unicode ? ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] : ["_", ".", "-", "=", "#"]
        let peak = max(counts.max() ?? 0, 1)
        return String(counts.map { count in
            count == 0 ? (unicode ? "·" : " ") : bars[min(bars.count - 1, (count * bars.count - 1) / peak)]
        })
    }
}

func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return right ? fill + text : text + fill
}

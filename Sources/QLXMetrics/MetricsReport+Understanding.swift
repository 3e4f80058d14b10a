/// The text of the sections that explain latents: what each value means (`--values-table`)
/// and what an intervention moves (`--interventions`).
extension MetricsReport {
    /// One row per latent value: its samples and, per factor, the most common factor value and
    /// its share; the column of the latent's own factor (largest NMI) is marked with *.
    func valuesTableLines(_ meanings: ValueMeanings) -> [String] {
        let cells: [[[String]]] = meanings.entries.map { values in
            values.map { entry in
                entry.modes.enumerated().map { i, mode in
                    "\(meanings.name(factor: i, value: mode.value)) \(Int((mode.share * 100).rounded()))%"
                }
            }
        }
        let widths = factorNames.indices.map { i in
            max(factorNames[i].count + 1, (cells.joined().map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0) + 1)
        }
        var lines = ["Values: samples per latent value and, per factor, its most common value and share (* the latent's factor)"]
        lines.append("latent  value  samples  " + factorNames.indices.map { pad(factorNames[$0], widths[$0]) }.joined(separator: "  "))
        for j in 0..<meanings.latentCount {
            for (v, entry) in meanings.entries[j].enumerated() {
                var line = pad(v == 0 ? "z\(j)" : "", 6) + "  " + pad("\(v)", 5, right: true) + "  "
                    + pad("\(entry.samples)", 7, right: true) + "  "
                if entry.samples > 0 {
                    line += factorNames.indices.map { i in
                        let marked = infoMEC.latentFactor.indices.contains(j) && infoMEC.latentFactor[j] == i ? "*" : ""
                        return pad(cells[j][v][i] + marked, widths[i])
                    }.joined(separator: "  ")
                } else {
                    line += "-"
                }
                lines.append(line.trimmingTrailingSpaces())
            }
        }
        return lines
    }

    /// The latents × latents matrix: the diagonal is how often a latent holds the value it was
    /// set to; off the diagonal, how often setting the row's latent changes the column's.
    func interventionLines(_ m: InterventionMatrix, unicode: Bool) -> [String] {
        let dot = unicode ? "·" : "."
        var lines = [
            "Interventions on \(m.bases) base codes (z_j set to each other value, decoded, re-encoded):",
            "  holds: z_j comes back as set; column z_k: how often z_k changes (\(dot) < 0.005)",
        ]
        lines.append("latent  holds  factor       " + (0..<m.latentCount).map { pad("z\($0)", 4, right: true) }.joined(separator: " "))
        for j in 0..<m.latentCount {
            let factor = infoMEC.latentFactor.indices.contains(j) ? infoMEC.latentFactor[j].map { factorNames[$0] } ?? "-" : "-"
            let row = (0..<m.latentCount).map { k -> String in
                if k == j { return pad("-", 4, right: true) }
                let share = m.changes[j][k]
                return pad(share < 0.005 ? dot : fixed(share, 2), 4, right: true)
            }
            lines.append(pad("z\(j)", 6) + "  " + pad(fixed(m.holds(j), 2), 5, right: true) + "  " + pad(factor, 11) + "  "
                         + row.joined(separator: " "))
        }
        return lines
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " { end = index(before: end) }
        return String(self[..<end])
    }
}

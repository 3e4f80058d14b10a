import Foundation
import QLXMetrics
import QLXRender

/// InfoM/InfoE/InfoC bars, the NMI heatmap (selected latent's column highlighted),
/// reconstruction figures, the selected latent's codebook usage, decode and frame time.
/// Each is a `MetricsSection` value in `sections` (btop's meters): a new one is a file that
/// defines it plus its line in that list. Sections that do not fit are left out, least
/// important first.
enum MetricsPanel {
    /// The sections in drawing order; each one's `priority` decides what stays when rows are short.
    static let sections: [MetricsSection] = [.header, .bars, .comparison, .heatmap, .reconstruction, .usage, .timing]

    /// Rows of the sections placed before the heatmap (header and bars): the panel holds the
    /// heatmap when it has these plus the heatmap's rows.
    static let rowsWithHeatmap = 1 + 3

    /// Rows the panel fills with every section (reconstruction, usage and timing after the
    /// heatmap).
    static func naturalRows(heatmapRows: Int) -> Int { rowsWithHeatmap + heatmapRows + 3 }

    /// What every section draws from: the state, the panel's place and the chrome.
    struct Context {
        var state: ExplorerState
        var rect: Rect
        var glyphs: Glyphs
        var palette: ChromePalette
        var metrics: MetricsDisplay? { state.metrics }
        /// Reconstruction figures sit beside the bars when the panel is wide enough.
        var reconstructionBesideBars: Bool { rect.width >= MetricsSection.reconstructionColumns + 26 }
    }

    /// Returns whether the NMI heatmap was drawn (the view may place it elsewhere if not).
    @discardableResult
    static func draw(_ state: ExplorerState, in rect: Rect, into grid: inout CellGrid,
                     glyphs: Glyphs, palette: ChromePalette) -> Bool {
        guard rect.height >= 1, rect.width >= 20 else { return false }
        let context = Context(state: state, rect: rect, glyphs: glyphs, palette: palette)
        let rows = sections.map { $0.rows(context) }
        var chosen = Set<Int>()
        var used = 0
        for index in sections.indices.sorted(by: { sections[$0].priority < sections[$1].priority }) {
            if rows[index] > 0 && used + rows[index] <= rect.height {
                chosen.insert(index)
                used += rows[index]
            }
        }
        var y = rect.y
        for index in sections.indices where chosen.contains(index) {
            sections[index].draw(context, y, &grid)
            y += rows[index]
        }
        return chosen.contains { sections[$0].name == MetricsSection.heatmap.name }
    }
}

/// One section of the metrics panel: how many rows it needs (0: nothing to show) and how it
/// draws from a row on.
struct MetricsSection: Sendable {
    var name: String
    /// Lower stays first when the panel is short of rows.
    var priority: Int
    var rows: @Sendable (MetricsPanel.Context) -> Int
    var draw: @Sendable (MetricsPanel.Context, _ y: Int, _ grid: inout CellGrid) -> Void
}

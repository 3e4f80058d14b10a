import QLXRender

/// The whole screen as a pure function of state, images and size.
public enum ExplorerView {
    public static func draw(_ state: ExplorerState, images: ViewImages, width: Int, height: Int) -> CellGrid {
        let glyphs = Glyphs.forUnicode(state.unicode)
        guard let layout = layout(state, width: width, height: height) else {
            return Overlays.drawTooSmall(width: max(width, 0), height: max(height, 0), glyphs: glyphs)
        }
        let palette = ChromePalette(depth: state.colorDepth)
        var grid = CellGrid(width: width, height: height)
        Overlays.drawTitle(state, in: layout.title, into: &grid, glyphs: glyphs, palette: palette)
        LatentsPanel.draw(state, in: layout.latents, into: &grid, glyphs: glyphs, palette: palette)
        let heatmapShown = MetricsPanel.draw(state, in: layout.metrics, into: &grid, glyphs: glyphs, palette: palette)
        // On small terminals the heatmap goes under the images instead.
        if !heatmapShown, let metrics = state.metrics, let place = layout.heatmap {
            MetricsPanel.drawHeatmap(state, metrics, x: place.x, y: place.y, width: place.width,
                                     into: &grid, glyphs: glyphs, palette: palette)
        }
        PreviewPanel.draw(state, images: images, layout: layout, into: &grid, glyphs: glyphs, palette: palette)
        TraversalStrip.draw(state, images: images, layout: layout, into: &grid, glyphs: glyphs, palette: palette)
        Overlays.drawStatus(state, in: layout.status, into: &grid, glyphs: glyphs, palette: palette)
        if state.showHelp {
            Overlays.drawHelp(in: (width, height), unicode: state.unicode, into: &grid, glyphs: glyphs, palette: palette)
        }
        return grid
    }

    /// The panels' places for this state and size (nil below the minimum size).
    public static func layout(_ state: ExplorerState, width: Int, height: Int) -> ExplorerLayout? {
        ExplorerLayout.compute(
            width: width, height: height, latentCount: state.latentCount, valuesPerLatent: state.valuesPerLatent,
            imageWidth: state.imageWidth, imageHeight: state.imageHeight, mode: state.renderMode,
            showsOriginal: state.sampleCount > 0, heatmap: state.metrics.map(MetricsPanel.heatmapSize))
    }
}

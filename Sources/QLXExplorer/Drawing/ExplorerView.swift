import QLXRender

/// The whole screen as a pure function of state, images and size.
public enum ExplorerView {
    /// The cells alone (images as cells, or blank where pixels go).
    public static func draw(_ state: ExplorerState, images: ViewImages, width: Int, height: Int) -> CellGrid {
        compose(state, images: images, width: width, height: height).grid
    }

    /// The cells, and the images the terminal draws in pixels over them (none when it draws
    /// cells). The presentation and the 2-D sweep replace the panels; help goes over all.
    public static func compose(_ state: ExplorerState, images: ViewImages, width: Int, height: Int) -> ExplorerFrame {
        let glyphs = Glyphs.forUnicode(state.unicode)
        var canvas = ImageCanvas(state: state)
        let palette = ChromePalette(depth: state.colorDepth)
        var grid: CellGrid
        if state.presenting || state.sweep != nil, width >= ExplorerLayout.minimumWidth, height >= ExplorerLayout.minimumHeight {
            grid = CellGrid(width: width, height: height)
            if state.presenting {
                PresentationView.draw(state, images: images, into: &grid, canvas: &canvas, glyphs: glyphs, palette: palette)
            } else {
                SweepView.draw(state, images: images, into: &grid, canvas: &canvas, glyphs: glyphs, palette: palette)
            }
        } else {
            grid = panels(state, images: images, width: width, height: height, canvas: &canvas, glyphs: glyphs, palette: palette)
        }
        if state.showHelp {
            Overlays.drawHelp(in: (width, height), unicode: state.unicode, into: &grid, glyphs: glyphs, palette: palette)
            // Pixels would cover the help box (kitty draws them above text).
            canvas.placements.removeAll()
        }
        return ExplorerFrame(grid: grid, placements: canvas.placements)
    }

    /// The explorer's panels: latents, metrics, the images, the strip, the status line.
    static func panels(_ state: ExplorerState, images: ViewImages, width: Int, height: Int, canvas: inout ImageCanvas,
                       glyphs: Glyphs, palette: ChromePalette) -> CellGrid {
        guard let layout = layout(state, width: width, height: height) else {
            return Overlays.drawTooSmall(width: max(width, 0), height: max(height, 0), glyphs: glyphs)
        }
        var grid = CellGrid(width: width, height: height)
        Overlays.drawTitle(state, in: layout.title, into: &grid, glyphs: glyphs, palette: palette)
        LatentsPanel.draw(state, in: layout.latents, into: &grid, glyphs: glyphs, palette: palette)
        let heatmapShown = MetricsPanel.draw(state, in: layout.metrics, into: &grid, glyphs: glyphs, palette: palette)
        // On small terminals the heatmap goes under the images instead.
        if !heatmapShown, let metrics = state.metrics, let place = layout.heatmap {
            MetricsSection.drawHeatmap(state, metrics, x: place.x, y: place.y, width: place.width,
                                     into: &grid, glyphs: glyphs, palette: palette)
        }
        PreviewPanel.draw(state, images: images, layout: layout, into: &grid, canvas: &canvas, glyphs: glyphs, palette: palette)
        TraversalStrip.draw(state, images: images, layout: layout, into: &grid, canvas: &canvas, glyphs: glyphs, palette: palette)
        Overlays.drawStatus(state, in: layout.status, into: &grid, glyphs: glyphs, palette: palette)
        return grid
    }

    /// The panels' places for this state and size (nil below the minimum size). Drawing and
    /// mouse hit-testing both read it, so a click lands where the panel was drawn.
    public static func layout(_ state: ExplorerState, width: Int, height: Int) -> ExplorerLayout? {
        ExplorerLayout.compute(
            width: width, height: height, latentCount: state.latentCount, valuesPerLatent: state.valuesPerLatent,
            imageWidth: state.imageWidth, imageHeight: state.imageHeight, mode: state.renderMode,
            showsOriginal: state.sampleCount > 0, heatmap: state.metrics.map(MetricsSection.heatmapSize),
            pixels: ImageCanvas.cellPixels(for: state))
    }
}

import QLXRender

/// Presentation mode (`p`, `--present`): the decoded image as large as the screen allows
/// (whole multiples of its pixels where the terminal draws pixels), a caption
/// "z7 · object hue · value 4/10", the selected latent's codebook ruler, and a status line.
/// While touring with the cross-fade on, the image is the mix of this value and the next.
enum PresentationView {
    static func draw(_ state: ExplorerState, images: ViewImages, into grid: inout CellGrid, canvas: inout ImageCanvas,
                     glyphs: Glyphs, palette: ChromePalette) {
        let width = grid.width, height = grid.height
        let area = Rect(x: 0, y: 0, width: width, height: height - 3)
        if var image = images.preview {
            if let fade = images.fade, fade.next.pixels.count == image.pixels.count {
                image = blend(image, fade.next, amount: fade.amount)
            }
            let place = canvas.fittedRect(imageWidth: image.width, imageHeight: image.height, in: area,
                                          wholeMultiples: true, centredVertically: true)
            canvas.draw(image, in: place, id: ImageCanvas.Slot.preview, wholeMultiples: true, into: &grid)
        } else {
            let text = "decoding..."
            grid.put(text, x: (width - text.count) / 2, y: area.height / 2, style: Style(foreground: palette.dim))
        }

        let latent = state.selectedLatent
        let separator = state.unicode ? " · " : " - "
        let caption = (["z\(latent)"] + (state.encodedFactor(of: latent).map { [$0] } ?? [])
            + ["value \(state.code[latent])/\(state.valueCount(of: latent))"]).joined(separator: separator)
        grid.put(caption, x: max(0, (width - caption.count) / 2), y: height - 3, maxWidth: width,
                 style: Style(foreground: palette.accent, bold: true), ellipsis: glyphs.ellipsis)
        let rulerWidth = min(width - 4, max(4 * state.valueCount(of: latent) + 1, width / 2))
        LatentsPanel.drawRuler(state.codebooks[latent], current: state.code[latent], x: (width - rulerWidth) / 2,
                               y: height - 2, width: rulerWidth, into: &grid, glyphs: glyphs, palette: palette)

        let tour = state.tour == nil ? "t tour" : "touring \(state.tourInterval) ms" + (state.smoothTour ? " smooth" : "")
        Overlays.drawStatus(state, in: Rect(x: 0, y: height - 1, width: width, height: 1), into: &grid, glyphs: glyphs,
                            palette: palette, hints: [tour, "←→ value", "↑↓ latent", "+/- speed", "f smooth", "p back"],
                            hintsAfterMessage: true)
    }

    /// (1 − amount)·a + amount·b, pixel by pixel.
    static func blend(_ a: RenderImage, _ b: RenderImage, amount: Float) -> RenderImage {
        let t = min(max(amount, 0), 1)
        var mixed = a
        for i in mixed.pixels.indices { mixed.pixels[i] += t * (b.pixels[i] - a.pixels[i]) }
        return mixed
    }
}

extension ImageCanvas {
    /// The cells an image takes inside `area` (as `draw` will fill them), centred
    /// horizontally, and vertically when asked.
    func fittedRect(imageWidth: Int, imageHeight: Int, in area: Rect, wholeMultiples: Bool,
                    centredVertically: Bool = false) -> Rect {
        guard !area.isEmpty else { return area }
        let cells = pixels.map {
            $0.fit(imageWidth: imageWidth, imageHeight: imageHeight, box: (area.width, area.height),
                   wholeMultiples: wholeMultiples).cells
        } ?? Renderer.fitCells(imageWidth: imageWidth, imageHeight: imageHeight, box: (area.width, area.height),
                               mode: options.mode)
        return Rect(x: area.x + (area.width - cells.width) / 2,
                    y: area.y + (centredVertically ? (area.height - cells.height) / 2 : 0),
                    width: cells.width, height: cells.height)
    }
}

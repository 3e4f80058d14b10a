import QLXRender

/// The title line, the status line, the help overlay and the too-small message.
enum Overlays {
    /// "qlx │ NAME │ DATASET │ 10 latents × 10 values │ code 3141592653", the selected
    /// latent's digit reversed; decode and frame time on the right when they fit.
    static func drawTitle(_ state: ExplorerState, in rect: Rect, into grid: inout CellGrid, glyphs: Glyphs,
                          palette: ChromePalette) {
        let compact = state.valuesPerLatent <= 10
        let codeText = state.code.map(String.init).joined(separator: compact ? "" : " ")
        let size = "\(state.latentCount) latents \(glyphs.times) \(state.valuesPerLatent) values"
        let shortSize = "\(state.latentCount)\(glyphs.times)\(state.valuesPerLatent)"
        func ms(_ v: Double?) -> String { v.map { Format.decimal($0, places: 1) } ?? "--" }
        let timing = "decode \(ms(state.decodeMilliseconds)) ms  frame \(ms(state.frameMilliseconds)) ms"
        func length(_ sizeText: String) -> Int {
            3 + [state.checkpointName, state.datasetName, sizeText, "code " + codeText]
                .map { glyphs.separator.count + $0.count }.reduce(0, +)
        }
        let sizeText = length(size) + timing.count + 2 <= rect.width ? size : shortSize
        let showTiming = length(sizeText) + timing.count + 2 <= rect.width

        var x = grid.put("qlx", x: rect.x, y: rect.y, style: Style(foreground: palette.accent, bold: true))
        for part in [state.checkpointName, state.datasetName, sizeText] {
            x = grid.put(glyphs.separator + part, x: x, y: rect.y, maxWidth: rect.maxX - x, style: .bold,
                         ellipsis: glyphs.ellipsis)
        }
        x = grid.put(glyphs.separator + "code ", x: x, y: rect.y, maxWidth: rect.maxX - x, style: .bold)
        for (latent, value) in state.code.enumerated() where x < rect.maxX {
            if !compact && latent > 0 { x = grid.put(" ", x: x, y: rect.y) }
            let style = latent == state.selectedLatent ? Style(foreground: palette.accent, bold: true, reverse: true)
                                                       : Style.bold
            x = grid.put(String(value), x: x, y: rect.y, maxWidth: rect.maxX - x, style: style)
        }
        if showTiming {
            grid.put(timing, x: rect.maxX - timing.count, y: rect.y, style: Style(foreground: palette.dim))
        }
    }

    /// The status message if there is one, else the main keys; `? help  q quit` and the
    /// render mode on the right, at every width.
    /// The footer: the status message or the key hints (`hints`, the panels' by default; after
    /// the message as room allows when `hintsAfterMessage`) on the left, `? help` and `q quit`
    /// pinned right of them at every width, the mode on the right.
    static func drawStatus(_ state: ExplorerState, in rect: Rect, into grid: inout CellGrid, glyphs: Glyphs,
                           palette: ChromePalette, hints: [String] = KeyTable.hints, hintsAfterMessage: Bool = false) {
        let right = "\(state.renderMode.rawValue) \(state.colorDepth == .none ? "mono" : state.colorDepth.rawValue)"
        let rightX = rect.maxX - right.count
        grid.put(right, x: rightX, y: rect.y, style: Style(foreground: palette.dim))
        func label(_ hint: String) -> String {
            state.unicode ? hint : KeyTable.asciiLabel(hint).replacingOccurrences(of: "UpDown", with: "Up/Dn")
                .replacingOccurrences(of: "LeftRight", with: "Lt/Rt")
        }
        // Key part bold, description plain.
        func putHint(_ text: String, x: Int) -> Int {
            let split = text.firstIndex(of: " ") ?? text.endIndex
            let next = grid.put(String(text[..<split]), x: x, y: rect.y, style: .bold)
            return grid.put(String(text[split...]) + "  ", x: next, y: rect.y, style: Style(foreground: palette.dim))
        }
        let pinned = KeyTable.pinnedHints.map(label)
        let pinnedX = rightX - pinned.map { $0.count + 2 }.reduce(0, +)
        var x = pinnedX
        for hint in pinned { x = putHint(hint, x: x) }

        let room = pinnedX - rect.x - 1
        x = rect.x
        if let message = state.statusMessage ?? state.backgroundStatus {
            x = grid.put(message, x: rect.x, y: rect.y, maxWidth: room, style: .bold, ellipsis: glyphs.ellipsis) + 2
            if !hintsAfterMessage { return }
        }
        for hint in hints.map(label) where !pinned.contains(hint) {
            guard x + hint.count + 2 <= pinnedX else { break }
            x = putHint(hint, x: x)
        }
    }

    static func drawHelp(in size: (width: Int, height: Int), unicode: Bool, into grid: inout CellGrid,
                         glyphs: Glyphs, palette: ChromePalette) {
        // Every binding always fits from the minimum size (60×18) on: when rows are short the
        // demo line and the blank rows inside the frame go first, then the margin around it.
        let bindings = KeyTable.helpLines(unicode: unicode)
        let demo = ["", "Demo: qlx explore --keys \"l l j T\"  (see qlx explore --help)"]
        let padded = bindings.count + demo.count + 4 <= size.height - 2
        let lines = padded ? bindings + demo : bindings
        let padding = padded ? 1 : 0
        let title = " keys "
        let width = min(size.width - 2, (lines.map(\.count).max() ?? 0) + 4)
        let height = min(lines.count + 2 + 2 * padding, padded ? size.height - 2 : size.height)
        let box = Rect(x: (size.width - width) / 2, y: (size.height - height) / 2, width: width, height: height)
        grid.fill(box)
        grid.frame(box, glyphs: glyphs, style: Style(foreground: palette.accent, bold: true))
        grid.put(title, x: box.x + (box.width - title.count) / 2, y: box.y, style: Style(foreground: palette.accent, bold: true))
        for (row, line) in lines.prefix(height - 2 - 2 * padding).enumerated() {
            grid.put(line, x: box.x + 2, y: box.y + 1 + padding + row, maxWidth: box.width - 4, ellipsis: glyphs.ellipsis)
        }
    }

    /// Below the minimum size: the current and the needed size, centred, wrapped to fit.
    static func drawTooSmall(width: Int, height: Int, glyphs: Glyphs) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        let words = ["Terminal", "too", "small:", "\(width)\(glyphs.times)\(height),",
                     "need", "\(ExplorerLayout.minimumWidth)\(glyphs.times)\(ExplorerLayout.minimumHeight).",
                     "Resize,", "or", "press", "q", "to", "quit."]
        var lines: [String] = []
        var line = ""
        for word in words {
            if line.isEmpty { line = word } else if line.count + 1 + word.count <= width { line += " " + word } else {
                lines.append(line)
                line = word
            }
        }
        if !line.isEmpty { lines.append(line) }
        let top = max(0, (height - lines.count) / 2)
        for (row, text) in lines.enumerated() {
            grid.put(text, x: max(0, (width - text.count) / 2), y: top + row, style: .bold)
        }
        return grid
    }
}

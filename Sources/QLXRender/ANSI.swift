/// Turns cell grids into text with SGR escape sequences for stdout.
public enum ANSI {
    public static let escape = "\u{1B}["
    public static let reset = "\u{1B}[0m"

    /// Rows separated by "\n" (none after the last). Only changes of colour or attribute are
    /// emitted, each as one SGR sequence; a row that ends with anything set ends with a reset,
    /// so every line stands alone (pipes into `less -R`, CI logs). Colours are converted to
    /// `colors` first (24-bit: 38;2/48;2, 256: 38;5/48;5, 16/8: 30–37, 90–97 and 40–47,
    /// 100–107); with `.none` the result is the characters alone, without any escape.
    public static func encode(_ grid: CellGrid, colors: ColorDepth) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(grid.width * grid.height * (colors == .none ? 3 : 12) + grid.height * 8)
        var scratch = TransitionScratch()
        for y in 0..<grid.height {
            if y > 0 { out.append(0x0A) }
            var current = Style.plain
            for x in 0..<grid.width {
                let cell = grid.cells[y * grid.width + x]
                if colors != .none {
                    let wanted = Style(cell, colors: colors)
                    if wanted != current {
                        appendTransition(from: current, to: wanted, into: &out, scratch: &scratch)
                        current = wanted
                    }
                }
                out.append(contentsOf: cell.character.utf8)
            }
            if current != .plain { out.append(contentsOf: resetBytes) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Dark to bright 256-colour backgrounds (blue → cyan → yellow) for a value in [0, 1].
    static let heatRamp: [UInt8] = [17, 18, 19, 25, 31, 37, 43, 79, 115, 151, 186, 221, 226]

    /// One cell of a line-oriented heatmap (`qlx metrics`): `text` in white on the ramp colour
    /// of `value` (clamped to [0, 1]), or dimmed when `value` is nil (an inactive latent).
    /// Each cell stands alone, ending in a reset.
    public static func heatmapCell(_ text: String, value: Double?) -> String {
        guard let value else { return escape + "2m" + text + reset }
        let clamped = min(max(value, 0), 1)
        let index = min(heatRamp.count - 1, Int((clamped * Double(heatRamp.count - 1)).rounded()))
        return escape + "48;5;\(heatRamp[index])m" + escape + "38;5;231m" + text + reset
    }

    static let resetBytes: [UInt8] = Array("\u{1B}[0m".utf8)

    /// What a cell sets besides its character.
    struct Style: Equatable {
        var foreground: TerminalColor
        var background: TerminalColor
        var bold: Bool
        var reverse: Bool

        static let plain = Style(foreground: .default, background: .default, bold: false, reverse: false)

        init(foreground: TerminalColor, background: TerminalColor, bold: Bool, reverse: Bool) {
            self.foreground = foreground
            self.background = background
            self.bold = bold
            self.reverse = reverse
        }

        init(_ cell: Cell, colors: ColorDepth) {
            self.init(foreground: ColorQuantizer.convert(cell.foreground, to: colors),
                      background: ColorQuantizer.convert(cell.background, to: colors),
                      bold: cell.bold, reverse: cell.reverse)
        }
    }

    /// Reused buffers for the two candidate parameter lists of a transition.
    struct TransitionScratch {
        var incremental: [UInt8] = []
        var fromReset: [UInt8] = []
    }

    /// One SGR sequence with the parameters that change. Resetting with 0 is used when it is
    /// shorter than turning things off one by one.
    static func appendTransition(from old: Style, to new: Style, into out: inout [UInt8], scratch: inout TransitionScratch) {
        scratch.incremental.removeAll(keepingCapacity: true)
        if old.bold != new.bold { appendParameter(new.bold ? 1 : 22, to: &scratch.incremental) }
        if old.reverse != new.reverse { appendParameter(new.reverse ? 7 : 27, to: &scratch.incremental) }
        if old.foreground != new.foreground { appendColor(new.foreground, background: false, to: &scratch.incremental) }
        if old.background != new.background { appendColor(new.background, background: true, to: &scratch.incremental) }

        // "\e[m" (no parameters) is a full reset.
        scratch.fromReset.removeAll(keepingCapacity: true)
        if new != .plain {
            appendParameter(0, to: &scratch.fromReset)
            if new.bold { appendParameter(1, to: &scratch.fromReset) }
            if new.reverse { appendParameter(7, to: &scratch.fromReset) }
            if new.foreground != .default { appendColor(new.foreground, background: false, to: &scratch.fromReset) }
            if new.background != .default { appendColor(new.background, background: true, to: &scratch.fromReset) }
        }

        out.append(0x1B)
        out.append(0x5B)   // [
        out.append(contentsOf: scratch.fromReset.count < scratch.incremental.count ? scratch.fromReset : scratch.incremental)
        out.append(0x6D)   // m
    }

    /// Appends ";" (unless first) and the decimal digits of `value`.
    @inline(__always)
    static func appendParameter(_ value: Int, to bytes: inout [UInt8]) {
        if !bytes.isEmpty { bytes.append(0x3B) }
        if value >= 100 { bytes.append(UInt8(48 + value / 100)) }
        if value >= 10 { bytes.append(UInt8(48 + (value / 10) % 10)) }
        bytes.append(UInt8(48 + value % 10))
    }

    static func appendColor(_ color: TerminalColor, background: Bool, to bytes: inout [UInt8]) {
        switch color {
        case .default: appendParameter(background ? 49 : 39, to: &bytes)
        case let .indexed(i) where i < 8: appendParameter((background ? 40 : 30) + Int(i), to: &bytes)
        case let .indexed(i) where i < 16: appendParameter((background ? 100 : 90) + Int(i) - 8, to: &bytes)
        case let .indexed(i):
            appendParameter(background ? 48 : 38, to: &bytes)
            appendParameter(5, to: &bytes)
            appendParameter(Int(i), to: &bytes)
        case let .rgb(r, g, b):
            appendParameter(background ? 48 : 38, to: &bytes)
            appendParameter(2, to: &bytes)
            appendParameter(Int(r), to: &bytes)
            appendParameter(Int(g), to: &bytes)
            appendParameter(Int(b), to: &bytes)
        }
    }
}

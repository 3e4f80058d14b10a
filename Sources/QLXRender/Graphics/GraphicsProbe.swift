/// Asking the terminal what it can draw, as pure functions of the bytes sent and received
/// (the terminal layer does the I/O with a short timeout): the kitty graphics query, the
/// sixel colour registers (XTSMGRAPHICS), the cell size in pixels (CSI 16 t), and last the
/// primary device attributes (DA1), which every terminal answers, so its reply ends the wait.
public struct GraphicsProbe: Equatable, Sendable {
    /// A kitty-protocol reply to the `a=q` query arrived.
    public var kitty = false
    /// DA1 lists attribute 4 (sixel graphics).
    public var sixel = false
    /// Sixel colour registers, when the terminal said.
    public var colorRegisters: Int?
    public var cellPixels: CellPixels?
    /// The terminal's background colour (OSC 11), when it said.
    public var background: RGB?
    /// The DA1 reply arrived: nothing more will come.
    public var complete = false

    public init() {}

    /// The queries, in the order they are answered (DA1 last).
    public static let queries = KittyGraphics.query + "\u{1B}[?1;1;0S" + "\u{1B}[16t" + backgroundQuery + "\u{1B}[c"

    /// OSC 11 with "?": the terminal answers with its background colour.
    public static let backgroundQuery = "\u{1B}]11;?\u{1B}\\"

    /// The colour in an OSC 11 reply ("ESC ] 11 ; rgb:RRRR/GGGG/BBBB", 1–4 hex digits a channel).
    public static func background(in text: String) -> RGB? {
        guard let start = text.range(of: "\u{1B}]11;rgb:") else { return nil }
        let rest = text[start.upperBound...]
        let end = rest.firstIndex { !($0.isHexDigit || $0 == "/") } ?? rest.endIndex
        let channels = rest[..<end].split(separator: "/")
        guard channels.count == 3 else { return nil }
        var bytes: [UInt8] = []
        for channel in channels {
            guard (1...4).contains(channel.count), let value = Int(channel, radix: 16) else { return nil }
            let maximum = (1 << (4 * channel.count)) - 1
            bytes.append(UInt8((value * 255 + maximum / 2) / maximum))
        }
        return RGB(bytes[0], bytes[1], bytes[2])
    }

    /// What `reply` (everything read so far) says.
    public static func parse(_ reply: [UInt8]) -> GraphicsProbe {
        var probe = GraphicsProbe()
        let text = String(decoding: reply, as: UTF8.self)
        if text.contains("\u{1B}_Gi=31;") { probe.kitty = true }
        probe.background = background(in: text)
        for sequence in controlSequences(in: text) {
            let (parameters, final) = sequence
            switch final {
            case "c" where parameters.hasPrefix("?"):
                let values = parameters.dropFirst().split(separator: ";").compactMap { Int($0) }
                probe.sixel = values.dropFirst().contains(4)
                probe.complete = true
            case "S" where parameters.hasPrefix("?"):
                let values = parameters.dropFirst().split(separator: ";").compactMap { Int($0) }
                if values.count >= 3, values[0] == 1, values[1] == 0, values[2] > 0 { probe.colorRegisters = values[2] }
            case "t":
                let values = parameters.split(separator: ";").compactMap { Int($0) }
                if values.count == 3, values[0] == 6, values[1] > 0, values[2] > 0 {
                    probe.cellPixels = CellPixels(width: values[2], height: values[1])
                }
            default:
                break
            }
        }
        return probe
    }

    /// The CSI sequences in `text` as (parameter bytes, final byte).
    static func controlSequences(in text: String) -> [(String, Character)] {
        var result: [(String, Character)] = []
        var rest = Substring(text)
        while let start = rest.firstRange(of: "\u{1B}[") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(where: { $0.isLetter }) else { break }
            result.append((String(rest[..<end]), rest[end]))
            rest = rest[rest.index(after: end)...]
        }
        return result
    }

    /// The protocol to use. A forced choice wins; `auto` takes kitty, then sixel, then cells.
    /// Inside tmux, pixels need `allow-passthrough` (else cells, whatever the terminal).
    public static func choose(_ choice: GraphicsChoice, probe: GraphicsProbe?, tmux: TmuxState?) -> GraphicsProtocol {
        if let tmux, !tmux.passthrough { return .cells }
        if let forced = choice.forced { return forced }
        guard let probe else { return .cells }
        return probe.kitty ? .kitty : probe.sixel ? .sixel : .cells
    }
}

/// Running inside tmux: whether it passes escape sequences through to the outer terminal
/// (`set -g allow-passthrough on`), and where the pane sits in it.
public struct TmuxState: Equatable, Sendable {
    public var passthrough: Bool
    public var paneLeft: Int
    public var paneTop: Int
    public init(passthrough: Bool, paneLeft: Int = 0, paneTop: Int = 0) {
        self.passthrough = passthrough
        self.paneLeft = paneLeft
        self.paneTop = paneTop
    }

    /// `sequence` wrapped for tmux's passthrough (DCS tmux; with every ESC doubled).
    public static func wrap(_ sequence: String) -> String {
        var out = "\u{1B}Ptmux;"
        for c in sequence.unicodeScalars {
            if c == "\u{1B}" { out.unicodeScalars.append(c) }
            out.unicodeScalars.append(c)
        }
        return out + "\u{1B}\\"
    }
}

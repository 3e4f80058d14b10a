import Foundation
import QLXIO

/// What the terminal on standard output can draw in pixels, found by asking it (never by
/// $TERM alone): the kitty query and DA1 (see `GraphicsProbe`) with a short timeout; the cell
/// size from TIOCGWINSZ or CSI 16 t. Inside tmux, pixels go through only with
/// `allow-passthrough` on, and the queries are wrapped for it.
public struct GraphicsSetup: Sendable {
    public var graphics: GraphicsProtocol
    public var cellPixels: CellPixels?
    public var colorRegisters: Int
    public var tmux: TmuxState?
    /// The terminal's background colour (OSC 11), when it answered.
    public var background: RGB?
    /// One line on how the choice was made (`--stats`, the status line when a request was refused).
    public var reason: String

    /// Cells only, with no terminal asked.
    public static func cells(_ reason: String) -> GraphicsSetup {
        GraphicsSetup(graphics: .cells, cellPixels: nil, colorRegisters: 256, tmux: nil, background: nil, reason: reason)
    }
}

public enum GraphicsDetection {
    /// How long to wait for the terminal's replies (a terminal that answers DA1 ends the wait
    /// at once; only one that answers nothing costs the whole timeout).
    public static let timeoutMilliseconds = 300
    /// Assumed when the terminal does not say (a common 8×16 font).
    static let fallbackCell = CellPixels(width: 8, height: 16)

    /// Decides the protocol for `choice`. Call before ncurses starts (it reads the replies
    /// from standard input in raw mode and restores the mode after).
    public static func detect(choice: GraphicsChoice, environment: [String: String]) -> GraphicsSetup {
        if choice == .cells { return .cells("--graphics cells") }
        guard StandardStream.firstNotATerminal() == nil else { return .cells("not a terminal") }
        if TerminalCapabilities.isDumb(environment: environment, isTerminal: true) { return .cells("a dumb terminal") }
        var tmux: TmuxState?
        if let socket = environment["TMUX"], !socket.isEmpty {
            let state = tmuxState()
            guard state.passthrough else {
                return .cells("inside tmux with allow-passthrough off (tmux set -g allow-passthrough on)")
            }
            tmux = state
        }
        let reply = ask(GraphicsProbe.queries, tmux: tmux)
        let probe = GraphicsProbe.parse(reply)
        let graphics = GraphicsProbe.choose(choice, probe: probe, tmux: tmux)
        let cell = windowCellPixels() ?? probe.cellPixels
        var reason = probe.kitty ? "the terminal answered the kitty query" : probe.sixel ? "DA1 lists sixel"
            : probe.complete ? "the terminal has neither kitty graphics nor sixel" : "no answer from the terminal"
        if graphics.hasPixels && cell == nil { reason += "; cell size unknown, \(fallbackCell) assumed" }
        if tmux != nil { reason += " (through tmux passthrough)" }
        return GraphicsSetup(graphics: graphics, cellPixels: graphics.hasPixels ? cell ?? fallbackCell : cell,
                             colorRegisters: probe.colorRegisters ?? 256, tmux: tmux, background: probe.background,
                             reason: reason)
    }

    /// Writes `queries` and reads the replies until DA1's arrives or the timeout passes.
    static func ask(_ queries: String, tmux: TmuxState?) -> [UInt8] {
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return [] }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        defer { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
        let text = tmux == nil ? queries : TmuxState.wrap(queries)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        var reply: [UInt8] = []
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        var buffer = [UInt8](repeating: 0, count: 512)
        while Date() < deadline && !GraphicsProbe.parse(reply).complete {
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&descriptor, 1, wait) > 0 else { continue }
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            if count <= 0 { break }
            reply += buffer[0..<count]
        }
        return reply
    }

    /// The cell size from the kernel's window size, when the terminal filled in pixels.
    static func windowCellPixels() -> CellPixels? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0,
              size.ws_xpixel >= size.ws_col, size.ws_ypixel >= size.ws_row else { return nil }
        return CellPixels(width: Int(size.ws_xpixel / size.ws_col), height: Int(size.ws_ypixel / size.ws_row))
    }

    /// tmux's allow-passthrough and the pane's place in the window.
    static func tmuxState() -> TmuxState {
        let passthrough = run(["show", "-gv", "allow-passthrough"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let pane = run(["display", "-p", "#{pane_left} #{pane_top}"]).split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return TmuxState(passthrough: passthrough == "on" || passthrough == "all",
                         paneLeft: pane.count == 2 ? pane[0] : 0, paneTop: pane.count == 2 ? pane[1] : 0)
    }

    private static func run(_ arguments: [String]) -> String {
        ExternalTool.run("tmux", arguments)?.output ?? ""
    }
}

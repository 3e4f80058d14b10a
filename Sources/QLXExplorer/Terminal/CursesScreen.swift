#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CNCurses
import QLXRender

/// The one thin layer over ncurses: start and stop the terminal, paint a CellGrid, read a
/// key. Everything above it is pure and never sees ncurses.
public final class CursesScreen {
    /// What this terminal can show, as ncurses found it.
    public let maximumColorDepth: ColorDepth
    /// Why `maximumColorDepth` is what it is, for the status line when a flag asked for more.
    public let colorReason: String
    public let unicode: Bool
    public let terminalName: String
    /// Set when TERM's entry (or a fallback's) came from the terminfo bundled with a release
    /// because the system has none: for the status line.
    public let terminfoNote: String?

    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let outputFile: UnsafeMutablePointer<FILE>
    /// Draws image placements in pixels (kitty, sixel) after the cells; nil: cells only.
    public var graphicsPainter: GraphicsPainter?
    /// Pixel images sent by the last paint (for `--stats` and tests of "only what changed").
    public private(set) var imagesSentLastPaint = 0
    private let directColor: Bool
    private var isOpen = true
    /// Colour pairs allocated this session (alloc_pair also remembers them; this saves the
    /// hash lookup per cell).
    private var pairs: [PairKey: Int32] = [:]
    private var maxPairs: Int
    private let characterBuffer = UnsafeMutablePointer<wchar_t>.allocate(capacity: 8)

    private struct PairKey: Hashable { let foreground: Int32, background: Int32 }

    /// Starts ncurses on the process's terminal. `environment` supplies TERM and NO_COLOR.
    /// Throws when stdin/stdout are not terminals or TERM cannot drive a full-screen UI.
    /// `trueColor`: 24-bit colour was asked for (`--colors 24bit`): when the environment says
    /// the terminal has it (COLORTERM) but TERM's entry lacks RGB, a direct-colour entry of the
    /// same terminal is used instead (see `TerminalCapabilities.directColorEntries`).
    public convenience init(environment: [String: String], mouse: Bool = false, trueColor: Bool = false) throws {
        if let stream = StandardStream.firstNotATerminal() { throw ExplorerError.notATerminal(stream: stream.name) }
        let term = environment["TERM"] ?? ""
        if TerminalCapabilities.isDumb(environment: environment, isTerminal: true) {
            throw ExplorerError.dumbTerminal(term: term)
        }
        try self.init(output: qlx_stdout_file(), input: qlx_stdin_file(), term: term, environment: environment,
                      fixedSize: nil, trueColor: trueColor)
        if mouse { enableMouse() }
    }

    /// Asks the terminal for left-button presses and wheel steps (ncurses turns them off
    /// again in endwin). No click interval: a press is reported at once, not after a wait
    /// that tells clicks from double clicks.
    private func enableMouse() {
        mousemask(qlx_button1_pressed() | qlx_button1_clicked() | qlx_button4_pressed() | qlx_button5_pressed(), nil)
        mouseinterval(0)
    }

    /// An off-screen terminal of a fixed size writing to /dev/null, so `qlx bench` can time the
    /// whole paint path (ncurses' diffing and output included) without a terminal.
    /// `bundledTerminfo`: where entries the system lacks are looked for (tests give their own).
    public static func offscreen(width: Int, height: Int, term: String = "xterm-256color",
                                 bundledTerminfo: String? = BundledTerminfo.directory()) throws -> CursesScreen {
        guard let output = fopen("/dev/null", "w"), let input = fopen("/dev/null", "r") else {
            throw ExplorerError.terminalSetupFailed(term: term)
        }
        return try CursesScreen(output: output, input: input, term: term, environment: ["TERM": term, "LANG": "C.UTF-8"],
                                fixedSize: (width, height), bundledTerminfo: bundledTerminfo)
    }

    private init(output: UnsafeMutablePointer<FILE>, input: UnsafeMutablePointer<FILE>, term: String,
                 environment: [String: String], fixedSize: (Int, Int)?, trueColor: Bool = false,
                 bundledTerminfo bundled: String? = BundledTerminfo.directory()) throws {
        setlocale(LC_ALL, "")   // ncursesw draws wide characters only under the user's locale
        let capabilities = TerminalCapabilities.detect(environment: environment, isTerminal: true)
        unicode = capabilities.unicode
        // An unknown TERM makes newterm return NULL (initscr would exit): fall back to the
        // common entries instead. 24-bit colour asked for and promised by COLORTERM, but
        // not in TERM's entry: a direct-colour entry of the same terminal goes first.
        // An entry the system lacks is taken from the terminfo a release bundles, if that has it.
        var bundledUsed: [String] = []
        func available(_ name: String) -> Bool {
            if qlx_terminfo_rgb(name) != -1 { return true }
            guard let bundled, BundledTerminfo.contains(name, in: bundled) else { return false }
            BundledTerminfo.append(bundled)
            bundledUsed.append(name)
            return qlx_terminfo_rgb(name) != -1
        }
        var candidates = [term, "xterm-256color", "xterm", "vt100"]
        var missingDirectEntry: String?
        if trueColor, capabilities.colors == .trueColor, available(term), qlx_terminfo_rgb(term) == 0 {
            let entries = TerminalCapabilities.directColorEntries(for: term)
            if let direct = entries.first(where: { available($0) && qlx_terminfo_rgb($0) == 1 }) {
                candidates.insert(direct, at: 0)
            } else {
                missingDirectEntry = entries.first
            }
        }
        var opened: (OpaquePointer, String)?
        for candidate in candidates where !candidate.isEmpty && available(candidate) {
            if let s = newterm(candidate, output, input) {
                opened = (s, candidate)
                break
            }
        }
        guard let (screen, name) = opened else { throw ExplorerError.terminalSetupFailed(term: term) }
        self.screen = screen
        self.terminalName = name
        terminfoNote = bundledUsed.contains(name)
            ? "terminfo: this system has no \(name) entry; using the one bundled with qlx" : nil
        self.outputFile = output
        set_term(screen)
        window = qlx_stdscr()!
        if let (width, height) = fixedSize { resize_term(Int32(height), Int32(width)) }

        raw()          // Ctrl-C arrives as a key; the key table quits on it.
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        leaveok(window, true)
        // No insert/delete-character shortcuts: they would shift cells under sixel pixels
        // that ncurses does not know are there.
        idcok(window, false)
        intrflush(window, false)

        // Colour: none where TerminalCapabilities says none (NO_COLOR); otherwise what
        // terminfo says (24-bit only with the RGB capability: xterm-256color never emits it).
        var depth = ColorDepth.none
        var direct = false
        if capabilities.colors != .none && has_colors() {
            start_color()
            use_default_colors()
            let colors = qlx_colors()
            direct = tigetflag("RGB") > 0 && colors >= 0x1000000
            depth = direct ? .trueColor : colors >= 256 ? .palette256 : colors >= 16 ? .palette16
                : colors >= 8 ? .palette8 : .none
        }
        maximumColorDepth = depth
        directColor = direct
        if capabilities.colors == .none {
            colorReason = "the environment asks for no colour (NO_COLOR, or a terminal without colour)"
        } else if !direct && capabilities.colors == .trueColor {
            colorReason = "COLORTERM says 24-bit, but terminfo \(name) has no RGB capability"
                + (missingDirectEntry.map { " and \($0) is not installed (Debian's ncurses-term)" } ?? "")
        } else {
            colorReason = "terminfo \(name) has \(qlx_colors()) colours" + (trueColor && !direct ? " (COLORTERM does not say truecolor)" : "")
        }
        maxPairs = Int(qlx_color_pairs())
    }

    deinit { close() }

    /// Gives the terminal back and stops the process (Ctrl-Z in raw mode arrives as a key, so
    /// the stop is ours to send); returns once continued (the shell's fg), in curses mode
    /// again. The caller repaints everything.
    public func suspend() {
        endwin()
        fflush(nil)
        kill(getpid(), SIGTSTP)
        wrefresh(window)
    }

    /// Restores the terminal (endwin). Safe to call more than once.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        if let clear = graphicsPainter?.clearAll, !clear.isEmpty {
            fputs(clear, outputFile)
            fflush(outputFile)
        }
        endwin()
        fflush(nil)
    }

    /// Columns and rows now (ncurses updates them on resize, before KEY_RESIZE arrives).
    public var size: (width: Int, height: Int) {
        (Int(getmaxx(window)), Int(getmaxy(window)))
    }

    /// The next key, waiting at most `timeoutMilliseconds` (negative: forever); nil on timeout.
    public func readKey(timeoutMilliseconds: Int) -> Key? {
        wtimeout(window, Int32(timeoutMilliseconds))
        var character: wint_t = 0
        let result = wget_wch(window, &character)
        switch result {
        case OK:
            let code = UInt32(character)
            if code < 32 || code == 127 { return Key(controlCode: code) }
            guard let scalar = Unicode.Scalar(code) else { return .unknown(Int32(bitPattern: code)) }
            return .character(Character(scalar))
        case KEY_CODE_YES:
            switch Int32(character) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_RESIZE: return .resize
            case KEY_MOUSE: return readMouse()
            default: return .unknown(Int32(character))
            }
        default:
            return nil
        }
    }

    /// Paints the frame's cells, then its images in pixels (when the terminal draws them):
    /// only images that changed are sent, so stepping values never blanks them.
    public func paint(_ frame: ExplorerFrame, full: Bool = false) {
        guard let painter = graphicsPainter else { return paint(frame.grid, full: full) }
        let plan = painter.plan(frame, full: full)
        draw(frame.grid, full: full)
        // Lines under sixel images that went away: ncurses must rewrite them.
        for row in plan.rowsToRepaint where row >= 0 && row < Int(getmaxy(window)) { wredrawln(window, Int32(row), 1) }
        wnoutrefresh(window)
        doupdate()
        imagesSentLastPaint = plan.sent
        guard !plan.output.isEmpty else { return }
        fputs(plan.output, outputFile)
        fflush(outputFile)
        // The images moved the cursor behind ncurses' back, and with leaveok ncurses tracks
        // the real cursor only inside itself (curscr keeps the logical one, so moving there
        // left it one step off: the next update's relative moves put a digit at the top
        // left). Moving from "unknown" makes ncurses address the cursor absolutely and
        // records where it is.
        mvcur(-1, -1, 0, 0)
    }

    /// The mouse event behind a KEY_MOUSE; nil for events the explorer does not use
    /// (releases, other buttons).
    private func readMouse() -> Key? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        let state = event.bstate
        let kind: MouseEvent.Kind
        if state & (qlx_button1_pressed() | qlx_button1_clicked()) != 0 {
            kind = .press
        } else if state & qlx_button4_pressed() != 0 {
            kind = .wheelUp
        } else if state & qlx_button5_pressed() != 0 {
            kind = .wheelDown
        } else {
            return nil
        }
        return .mouse(MouseEvent(kind, x: Int(event.x), y: Int(event.y)))
    }

    /// Paints `grid` at the top-left corner. erase + wnoutrefresh + doupdate: ncurses sends
    /// only the cells that changed. `full` repaints every cell (Ctrl-L).
    public func paint(_ grid: CellGrid, full: Bool = false) {
        draw(grid, full: full)
        wnoutrefresh(window)
        doupdate()
    }

    /// The grid into ncurses' window (sent by the next doupdate).
    private func draw(_ grid: CellGrid, full: Bool) {
        werase(window)
        if full { clearok(window, true) }
        let rows = min(grid.height, Int(getmaxy(window)))
        let columns = min(grid.width, Int(getmaxx(window)))
        var cell = cchar_t()
        for y in 0..<rows {
            for x in 0..<columns {
                let c = grid[x, y]
                if c == .blank { continue }
                var attributes = qlx_a_normal()
                if c.bold { attributes |= qlx_a_bold() }
                if c.reverse { attributes |= qlx_a_reverse() }
                let pair = pairNumber(foreground: c.foreground, background: c.background)
                var count = 0
                for scalar in c.character.unicodeScalars where count < 5 {
                    characterBuffer[count] = wchar_t(bitPattern: scalar.value)
                    count += 1
                }
                characterBuffer[count] = 0
                qlx_setcchar(&cell, characterBuffer, attributes, pair)
                mvwadd_wch(window, Int32(y), Int32(x), &cell)
            }
        }
    }

    /// The colour pair for a foreground/background, allocated on first use.
    private func pairNumber(foreground: TerminalColor, background: TerminalColor) -> Int32 {
        guard maximumColorDepth != .none, foreground != .default || background != .default else { return 0 }
        let key = PairKey(foreground: colorNumber(foreground), background: colorNumber(background))
        if let pair = pairs[key] { return pair }
        let pair = alloc_pair(key.foreground, key.background)
        guard pair > 0 else { return 0 }
        // alloc_pair recycles the least recently used pair when all are taken; forget our
        // cache then, since one of its entries now means something else.
        if pairs.count >= maxPairs - 1 { pairs.removeAll() }
        pairs[key] = pair
        return pair
    }

    /// A colour as a direct-colour entry numbers it: 0xRRGGBB, except that 0–7 mean the
    /// eight system colours there, so the darkest blues move to the nearest number above.
    static func directColorNumber(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int32 {
        max(8, Int32(r) << 16 | Int32(g) << 8 | Int32(b))
    }

    /// ncurses' number for a colour at this terminal's depth (-1 is the terminal's default).
    private func colorNumber(_ color: TerminalColor) -> Int32 {
        switch color {
        case .default: return -1
        case .rgb(let r, let g, let b) where directColor:
            return Self.directColorNumber(r, g, b)
        case .indexed(let i) where directColor && i >= 8:
            // Direct-colour entries read numbers from 8 up as RGB: palette colours go as theirs.
            let (r, g, b) = ColorQuantizer.rgb(ofIndex: i)
            return Self.directColorNumber(r, g, b)
        default:
            switch ColorQuantizer.convert(color, to: directColor ? .palette256 : maximumColorDepth) {
            case .indexed(let i): return Int32(i)
            case .rgb(let r, let g, let b): return Int32(Palette256.nearest(r, g, b))
            case .default: return -1
            }
        }
    }
}

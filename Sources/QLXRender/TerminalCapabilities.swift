/// What the terminal on stdout can show, from the environment alone (pure, so it is
/// testable): colour depth from COLORTERM and TERM, UTF-8 from the locale variables.
public struct TerminalCapabilities: Sendable, Equatable {
    public var colors: ColorDepth
    public var unicode: Bool

    public init(colors: ColorDepth, unicode: Bool) {
        self.colors = colors
        self.unicode = unicode
    }

    /// The mode to draw images in: half blocks where UTF-8 works, the ASCII ramp elsewhere.
    public var preferredMode: RenderMode { unicode ? .halfBlock : .ascii }

    /// Rules, first match wins for colour:
    /// - not a terminal (a pipe, a file, a CI log): no colour;
    /// - NO_COLOR set and non-empty: no colour;
    /// - TERM "dumb" (or unset on a terminal): no colour, and ASCII only;
    /// - COLORTERM "truecolor" or "24bit", or a TERM ending in "-direct": 24-bit;
    /// - TERM containing "256color": 256; "16color": 16; other TERMs from a table of
    ///   common terminals (their terminfo "colors"), unknown ones 8.
    /// UTF-8: the first non-empty of LC_ALL, LC_CTYPE, LANG names a UTF-8 codeset.
    /// Command-line flags override all of this (see `overriding`).
    public static func detect(environment: [String: String], isTerminal: Bool) -> TerminalCapabilities {
        let term = (environment["TERM"] ?? "").lowercased()
        let dumb = isDumb(environment: environment, isTerminal: isTerminal)
        let unicode = !dumb && localeIsUTF8(environment)
        if !isTerminal || dumb { return TerminalCapabilities(colors: .none, unicode: unicode) }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty {
            return TerminalCapabilities(colors: .none, unicode: unicode)
        }
        return TerminalCapabilities(colors: colorDepth(term: term, colorTerm: environment["COLORTERM"] ?? ""),
                                    unicode: unicode)
    }

    /// Whether TERM names a terminal without cursor control ("dumb"): no colour, ASCII only,
    /// and no full-screen explorer. An unset TERM says nothing about a pipe, but on a terminal
    /// it means a bare one.
    public static func isDumb(environment: [String: String], isTerminal: Bool) -> Bool {
        let term = (environment["TERM"] ?? "").lowercased()
        return term == "dumb" || (isTerminal && term.isEmpty)
    }

    /// Flags beat detection: `--colors` sets the depth (even under NO_COLOR or in a pipe),
    /// and asking for a Unicode mode implies the user knows the terminal can show it.
    public func overriding(colors flag: ColorDepth?, mode: RenderMode?) -> TerminalCapabilities {
        var result = self
        if let flag { result.colors = flag }
        if let mode, mode.needsUnicode { result.unicode = true }
        return result
    }

    public static func localeIsUTF8(_ environment: [String: String]) -> Bool {
        for key in ["LC_ALL", "LC_CTYPE", "LANG"] {
            if let value = environment[key], !value.isEmpty {
                let v = value.lowercased()
                return v.contains("utf-8") || v.contains("utf8")
            }
        }
        return false
    }

    /// Terminfo entries with direct (24-bit) colour to try for `term` when the environment
    /// says the terminal has 24-bit colour but its own entry lacks the RGB capability
    /// (xterm-256color): the same terminal's "-direct" entry, then xterm's for terminals that
    /// follow xterm. Entries that already have direct colour, and the Linux console, get none.
    public static func directColorEntries(for term: String) -> [String] {
        let term = term.lowercased()
        guard !term.isEmpty, !term.contains("direct"), term != "linux", term != "dumb" else { return [] }
        if term.hasPrefix("tmux") || term.hasPrefix("screen") { return ["tmux-direct"] }
        var base = term
        for suffix in ["-256color", "-16color", "-88color", "-color"] where base.hasSuffix(suffix) {
            base = String(base.dropLast(suffix.count))
        }
        return base == "xterm" ? ["xterm-direct"] : [base + "-direct", "xterm-direct"]
    }

    /// Colour counts of common terminals without a depth in their name (terminfo "colors").
    static let knownTerminals: [String: ColorDepth] = [
        "xterm": .palette8, "xterm-color": .palette8, "screen": .palette8, "tmux": .palette8,
        "linux": .palette8, "rxvt": .palette8, "ansi": .palette8, "cygwin": .palette8,
        "putty": .palette8, "vt100": .none, "vt102": .none, "vt220": .none,
        "rxvt-unicode": .palette256, "alacritty": .palette256, "xterm-kitty": .palette256,
        "wezterm": .palette256, "foot": .palette256, "xterm-ghostty": .palette256,
        "iterm2": .palette256, "konsole": .palette8, "st": .palette8,
    ]

    static func colorDepth(term: String, colorTerm: String) -> ColorDepth {
        let ct = colorTerm.lowercased()
        if ct == "truecolor" || ct == "24bit" || term.contains("-direct") {
            return .trueColor
        }
        if term.contains("256color") { return .palette256 }
        if term.contains("16color") { return .palette16 }
        if let known = knownTerminals[term] { return known }
        // "screen.xterm-256color" and the like were handled above; "screen.linux" etc. here.
        if let dot = term.firstIndex(of: "."), let known = knownTerminals[String(term[..<dot])] { return known }
        return .palette8
    }
}

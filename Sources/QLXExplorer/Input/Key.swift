/// One key press as the explorer sees it, independent of ncurses: the terminal layer turns
/// wide characters and KEY_* codes into these, and `--keys` scripts name them.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case character(Character)
    /// Ctrl plus a letter, lower case: `.control("l")` is Ctrl-L.
    case control(Character)
    case up, down, left, right, home, end, pageUp, pageDown
    case escape, enter, tab, backspace
    /// The terminal changed size (ncurses KEY_RESIZE).
    case resize
    /// A mouse click or wheel step (mapped to an action by `MouseMap`, never by the key table).
    case mouse(MouseEvent)
    /// A key the explorer has no name for (the raw ncurses code).
    case unknown(Int32)

    /// The name `--keys` scripts and the help use ("Up", "C-l", "q", "Space").
    public var description: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .control(let c): return "C-\(c)"
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PageUp"
        case .pageDown: return "PageDown"
        case .escape: return "Esc"
        case .enter: return "Enter"
        case .tab: return "Tab"
        case .backspace: return "Backspace"
        case .resize: return "Resize"
        case .mouse(let event): return "Mouse(\(event.kind) \(event.x),\(event.y))"
        case .unknown(let code): return "key\(code)"
        }
    }

    /// Named keys accepted in `--keys` scripts, case-insensitive.
    static let namedKeys: [String: Key] = [
        "up": .up, "down": .down, "left": .left, "right": .right,
        "home": .home, "end": .end, "pageup": .pageUp, "pagedown": .pageDown,
        "pgup": .pageUp, "pgdn": .pageDown,
        "esc": .escape, "escape": .escape, "enter": .enter, "return": .enter,
        "tab": .tab, "space": .character(" "), "backspace": .backspace, "bspace": .backspace,
    ]

    /// Parses one script token: a single character, a name from `namedKeys`, or `C-x`.
    public init?(name: String) {
        if name.count == 1, let c = name.first {
            self = .character(c)
            return
        }
        if let named = Key.namedKeys[name.lowercased()] {
            self = named
            return
        }
        let lower = name.lowercased()
        if (lower.hasPrefix("c-") || lower.hasPrefix("^")), let last = lower.last, lower.count == (lower.hasPrefix("^") ? 2 : 3),
           last.isLetter {
            self = .control(last)
            return
        }
        return nil
    }

    /// A control character as typed (0x01–0x1A) → `.control`; Esc, Enter, Tab, Backspace by name.
    public init(controlCode code: UInt32) {
        switch code {
        case 27: self = .escape
        case 10, 13: self = .enter
        case 9: self = .tab
        case 8, 127: self = .backspace
        case 1...26: self = .control(Character(Unicode.Scalar(UInt8(code) + 96)))
        default: self = .unknown(Int32(bitPattern: code))
        }
    }
}

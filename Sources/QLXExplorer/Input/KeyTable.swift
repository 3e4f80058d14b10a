import Foundation

/// One row of the key table: the keys, how the help writes them, what they do.
public struct KeyBinding: Sendable {
    public let label: String
    public let summary: String
    public let keys: [(key: Key, action: Action)]
    /// Shown in the status line's short hint (the rest only in the help).
    public let hint: String?
}

/// The one table from keys to actions. `?` and `qlx explore --help` both print it.
public enum KeyTable {
    public static let bindings: [KeyBinding] = [
        KeyBinding(label: "↑/↓  k/j", summary: "select the previous/next latent",
                   keys: [(.up, .selectPreviousLatent), (.character("k"), .selectPreviousLatent),
                          (.down, .selectNextLatent), (.character("j"), .selectNextLatent)],
                   hint: "↑↓ latent"),
        KeyBinding(label: "←/→  h/l", summary: "step the selected latent's value",
                   keys: [(.left, .stepValue(-1)), (.character("h"), .stepValue(-1)),
                          (.right, .stepValue(1)), (.character("l"), .stepValue(1))],
                   hint: "←→ value"),
        KeyBinding(label: "0–9 Enter", summary: "jump to that value index (over 10: digits, Enter)",
                   keys: (0...9).map { (.character(Character(String($0))), .jumpToValue($0)) } + [(.enter, .endValueEntry)],
                   hint: nil),
        KeyBinding(label: "PgUp/PgDn", summary: "step a quarter of the codebook",
                   keys: [(.pageUp, .stepPage(-1)), (.pageDown, .stepPage(1))], hint: nil),
        KeyBinding(label: "Home/End", summary: "first/last value",
                   keys: [(.home, .firstValue), (.end, .lastValue)], hint: nil),
        KeyBinding(label: "n/N", summary: "next/previous dataset sample (encode it)",
                   keys: [(.character("n"), .nextSample), (.character("N"), .previousSample)],
                   hint: "n/N sample"),
        KeyBinding(label: "r", summary: "random code", keys: [(.character("r"), .randomCode)],
                   hint: "r random"),
        KeyBinding(label: "z", summary: "reset to the starting code", keys: [(.character("z"), .reset)],
                   hint: nil),
        // Rows are few: the help must fit 60×18, so related keys share a row.
        KeyBinding(label: "t/T  +/-  f", summary: "tour one/all latents, speed, cross-fade (other keys stop)",
                   keys: [(.character("t"), .tourSelected), (.character("T"), .tourAll),
                          (.character("+"), .tourFaster), (.character("="), .tourFaster),
                          (.character("-"), .tourSlower), (.character("f"), .toggleSmoothTour)],
                   hint: "t tour"),
        KeyBinding(label: "p/s", summary: "presentation / 2-D sweep of two latents (Esc returns)",
                   keys: [(.character("p"), .togglePresentation), (.character("s"), .toggleSweep)], hint: "p present"),
        KeyBinding(label: "e/E", summary: "export the traversal as PNG / the tour as GIF",
                   keys: [(.character("e"), .exportTraversal), (.character("E"), .exportTourGIF)], hint: "e export"),
        KeyBinding(label: "m/c", summary: "cycle render modes / colour depths",
                   keys: [(.character("m"), .cycleRenderMode), (.character("c"), .cycleColorDepth)], hint: "m mode"),
        KeyBinding(label: "?", summary: "help (close with ?, Esc or q)",
                   keys: [(.character("?"), .toggleHelp)], hint: "? help"),
        KeyBinding(label: "Ctrl-L", summary: "redraw the screen", keys: [(.control("l"), .redraw)],
                   hint: nil),
        KeyBinding(label: "Ctrl-Z", summary: "suspend (the shell's fg resumes)", keys: [(.control("z"), .suspend)],
                   hint: nil),
        KeyBinding(label: "q  Ctrl-C", summary: "quit",
                   keys: [(.character("q"), .quit), (.control("c"), .quit)], hint: "q quit"),
    ]

    private static let table: [Key: Action] = {
        var table: [Key: Action] = [:]
        for binding in bindings {
            for (key, action) in binding.keys {
                precondition(table[key] == nil, "key \(key) bound twice")
                table[key] = action
            }
        }
        return table
    }()

    /// The action bound to `key`, if any. Esc is not in the table: it only closes overlays.
    public static func action(for key: Key) -> Action? {
        if key == .escape { return .closeHelp }
        return table[key]
    }

    /// The keys while the help overlay is open: ?, Esc and q close it (as its row in the table
    /// says), Ctrl-C still quits and Ctrl-L still redraws; every other key does nothing.
    private static let helpOverlayTable: [Key: Action] = [
        .character("?"): .closeHelp, .escape: .closeHelp, .character("q"): .closeHelp,
        .control("c"): .quit, .control("l"): .redraw,
    ]

    /// The action bound to `key` while the help overlay is open, if any.
    public static func helpOverlayAction(for key: Key) -> Action? { helpOverlayTable[key] }

    /// The status line's short list of the main keys.
    public static var hints: [String] { bindings.compactMap(\.hint) }

    /// Hints the status line shows at every width: how to get help and how to leave.
    public static var pinnedHints: [String] {
        bindings.filter { $0.keys.contains { $0.action == .toggleHelp || $0.action == .quit } }.compactMap(\.hint)
    }

    /// The table as plain lines (label column padded), for `--help` and the help overlay.
    public static func helpLines(unicode: Bool = true) -> [String] {
        let labels = bindings.map { unicode ? $0.label : asciiLabel($0.label) }
        let width = labels.map(\.count).max() ?? 0
        return zip(labels, bindings).map { label, binding in
            label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + binding.summary
        }
    }

    /// The same labels without arrows and dashes that need UTF-8.
    public static func asciiLabel(_ label: String) -> String {
        label.replacingOccurrences(of: "↑", with: "Up").replacingOccurrences(of: "↓", with: "Down")
            .replacingOccurrences(of: "←", with: "Left").replacingOccurrences(of: "→", with: "Right")
            .replacingOccurrences(of: "–", with: "-")
    }
}

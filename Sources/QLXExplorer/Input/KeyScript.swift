import Foundation

/// Keystrokes replayed with delays, for demos and for measuring (`--keys`, `--script`).
///
/// Syntax: tokens separated by white space (and, in files, new lines; `#` starts a comment).
/// - a single character is that key: `l`, `j`, `?`, `3`, `T`;
/// - a name: `Up Down Left Right Home End PageUp PageDown Esc Enter Tab Space Backspace`;
/// - `C-x` (or `^x`) is Ctrl plus a letter: `C-l` redraws, `C-c` quits;
/// - a pause: `500ms`, `2s` or `1.5s`, waited before the next key;
/// - `xN` after a key repeats it N times in all: `l x5`.
/// Between keys the replay waits the default gap (`--key-delay`, 150 ms) unless a pause says
/// otherwise.
public struct KeyScript: Equatable, Sendable {
    public struct Step: Equatable, Sendable {
        public var key: Key
        /// Milliseconds to wait before this key.
        public var delayBefore: Int
    }

    public var steps: [Step]

    public init(steps: [Step]) { self.steps = steps }

    /// Parses script text; `source` names it in errors ("--keys", a file path).
    public init(parsing text: String, defaultGap: Int = 150, source: String = "--keys") throws {
        var steps: [Step] = []
        var pendingPause: Int?
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for line in lines {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            // A lone "#" key would read as a comment; it is not bound, so nothing is lost.
            for rawToken in content.split(whereSeparator: \.isWhitespace) {
                let token = String(rawToken)
                if let pause = KeyScript.pauseMilliseconds(token) {
                    pendingPause = (pendingPause ?? 0) + pause
                    continue
                }
                if token.count > 1, token.first == "x", let times = Int(token.dropFirst()), times >= 1 {
                    guard let last = steps.last else {
                        throw ExplorerError.badKeyScript(source: source, token: token,
                                                         reason: "a repeat needs a key before it")
                    }
                    for _ in 1..<times { steps.append(Step(key: last.key, delayBefore: defaultGap)) }
                    continue
                }
                guard let key = Key(name: token) else {
                    throw ExplorerError.badKeyScript(source: source, token: token,
                        reason: "expected a single character, a key name (Up, Left, Esc, Enter, Space, …), C-x, or a pause like 500ms")
                }
                steps.append(Step(key: key, delayBefore: pendingPause ?? (steps.isEmpty ? 0 : defaultGap)))
                pendingPause = nil
            }
        }
        self.steps = steps
    }

    /// "500ms" → 500, "2s" → 2000, "1.5s" → 1500; nil when the token is not a pause.
    static func pauseMilliseconds(_ token: String) -> Int? {
        if token.hasSuffix("ms"), let value = Int(token.dropLast(2)), value >= 0 { return value }
        if token.hasSuffix("s"), token.count > 1, let value = Double(token.dropLast()), value >= 0, value.isFinite {
            return Int((value * 1000).rounded())
        }
        return nil
    }
}

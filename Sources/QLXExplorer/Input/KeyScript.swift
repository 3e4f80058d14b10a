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
/// Repeats stay runs (`l x100000000` is one run, not a hundred million steps) and are expanded
/// one key at a time by `Playback`, so a script's memory is its text's; real keys (q, Ctrl-C)
/// are read before every scripted key, so they interrupt playback at any time.
public struct KeyScript: Equatable, Sendable {
    public struct Step: Equatable, Sendable {
        public var key: Key
        /// Milliseconds to wait before this key.
        public var delayBefore: Int
    }

    /// `key` pressed `count` times: the first after `delayBefore`, the others after `gap`.
    public struct Run: Equatable, Sendable {
        public var key: Key
        public var delayBefore: Int
        public var count: Int
        public var gap: Int
    }

    /// The longest script text read (`--script`): 1 MB, far beyond any demo.
    public static let maximumBytes = 1 << 20
    /// The largest repeat (`xN`).
    public static let maximumRepeat = 1_000_000_000

    public var runs: [Run]

    public init(steps: [Step]) { runs = steps.map { Run(key: $0.key, delayBefore: $0.delayBefore, count: 1, gap: 0) } }

    /// Every step, expanded (for short scripts and tests; playback uses `Playback`).
    public var steps: [Step] { Array(sequence(state: Playback(self)) { $0.next() }) }

    /// Parses script text; `source` names it in errors ("--keys", a file path).
    public init(parsing text: String, defaultGap: Int = 150, source: String = "--keys") throws {
        guard text.utf8.count <= Self.maximumBytes else {
            throw ExplorerError.scriptTooLarge(source: source, bytes: text.utf8.count, limit: Self.maximumBytes)
        }
        var runs: [Run] = []
        var pendingPause: Int?
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            // A lone "#" key would read as a comment; it is not bound, so nothing is lost.
            for token in content.split(whereSeparator: \.isWhitespace) {
                if let pause = KeyScript.pauseMilliseconds(token) {
                    pendingPause = min((pendingPause ?? 0) + pause, Self.maximumPause)
                    continue
                }
                if token.count > 1, token.first == "x", token.dropFirst().allSatisfy(\.isASCII), token.dropFirst().allSatisfy(\.isNumber) {
                    guard let times = Int(token.dropFirst()), (1...Self.maximumRepeat).contains(times) else {
                        throw ExplorerError.badKeyScript(source: source, token: String(token),
                                                         reason: "a repeat is x1…x\(Self.maximumRepeat)")
                    }
                    guard let last = runs.last else {
                        throw ExplorerError.badKeyScript(source: source, token: String(token),
                                                         reason: "a repeat needs a key before it")
                    }
                    runs.append(Run(key: last.key, delayBefore: defaultGap, count: times - 1, gap: defaultGap))
                    continue
                }
                guard let key = Key(name: String(token)) else {
                    throw ExplorerError.badKeyScript(source: source, token: String(token),
                        reason: "expected a single character, a key name (Up, Left, Esc, Enter, Space, …), C-x, or a pause like 500ms")
                }
                runs.append(Run(key: key, delayBefore: pendingPause ?? (runs.isEmpty ? 0 : defaultGap), count: 1, gap: defaultGap))
                pendingPause = nil
            }
        }
        self.runs = runs.filter { $0.count > 0 }
    }

    /// The longest pause (an hour): pauses add up, and a sum must not overflow.
    static let maximumPause = 3_600_000

    /// The steps of a script one at a time, without expanding its repeats.
    public struct Playback: Sendable {
        private let runs: [Run]
        private var run = 0
        private var pressed = 0

        public init(_ script: KeyScript) { runs = script.runs }

        /// The next step, without taking it.
        public var peek: Step? {
            guard run < runs.count else { return nil }
            let current = runs[run]
            return Step(key: current.key, delayBefore: pressed == 0 ? current.delayBefore : current.gap)
        }

        public mutating func next() -> Step? {
            guard let step = peek else { return nil }
            pressed += 1
            if pressed == runs[run].count { run += 1; pressed = 0 }
            return step
        }
    }

    /// "500ms" → 500, "2s" → 2000, "1.5s" → 1500; nil when the token is not a pause.
    static func pauseMilliseconds(_ token: some StringProtocol) -> Int? {
        if token.hasSuffix("ms"), let value = Int(token.dropLast(2)), value >= 0 { return min(value, maximumPause) }
        if token.hasSuffix("s"), token.count > 1, let value = Double(token.dropLast()), value >= 0, value.isFinite {
            return Int((min(value * 1000, Double(maximumPause))).rounded())
        }
        return nil
    }
}

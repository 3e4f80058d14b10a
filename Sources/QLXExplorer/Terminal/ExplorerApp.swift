import Foundation
import QLXRender

/// The event loop: collect (`session.update`), draw when something changed, wait for a key
/// (or a scripted key, a tour frame, new metrics) with a timeout, hand keys to the session. The terminal is restored
/// on every way out (see TerminalGuard).
public enum ExplorerApp {
    /// How the loop ended: 0 for q / Ctrl-C, 128 + n for signal n.
    public struct Outcome: Sendable {
        public var exitStatus: Int32
        public var stats: ExplorerStats
    }

    /// Opens the terminal, runs until quit, closes the terminal, returns. `launched` is when
    /// the command started (for the start-up figure). Throws before the terminal is
    /// touched when it cannot be used.
    public static func run(session: ExplorerSession, environment: [String: String], script: KeyScript?,
                           launched: Date, mouse: Bool = true) throws -> Outcome {
        TerminalGuard.install()
        defer { TerminalGuard.uninstall() }
        // Ask the terminal about pixels before ncurses owns the input.
        let graphics = GraphicsDetection.detect(choice: session.graphicsChoice, environment: environment)
        let screen: CursesScreen
        do {
            screen = try CursesScreen(environment: environment, mouse: mouse, trueColor: session.colorLimit == .trueColor)
        }
        defer { screen.close() }
        session.adapt(unicode: screen.unicode, maximumColors: screen.maximumColorDepth, colorReason: screen.colorReason)
        if let note = screen.terminfoNote { session.noteFirst(note) }
        if graphics.graphics.hasPixels {
            screen.graphicsPainter = GraphicsPainter(graphics: graphics.graphics, tmux: graphics.tmux,
                                                     colorRegisters: graphics.colorRegisters)
        }
        session.adaptGraphics(graphics.graphics, cellPixels: graphics.cellPixels, reason: graphics.reason)
        var outcome = loop(session: session, screen: screen, script: script, launched: launched)
        outcome.stats.graphics = "\(graphics.graphics.rawValue): \(graphics.reason)"
            + (graphics.cellPixels.map { ", cell \($0)" } ?? "")
        return outcome
    }

    /// The loop proper, on an open screen (the benchmark runs it off-screen).
    public static func loop(session: ExplorerSession, screen: CursesScreen, script: KeyScript?,
                            launched: Date) -> Outcome {
        var stats = ExplorerStats()
        var playback = KeyScript.Playback(script ?? KeyScript(steps: []))
        var nextScriptTime = Date().addingTimeInterval(Double(playback.peek?.delayBefore ?? 0) / 1000)
        var needsPaint = true
        var fullRepaint = false
        var pendingKeyTimes: [Date] = []

        while true {
            if TerminalGuard.pendingSignal != 0 {
                return Outcome(exitStatus: 128 + TerminalGuard.pendingSignal, stats: stats)
            }
            if session.update() { needsPaint = true }
            if needsPaint {
                let started = Date()
                let size = screen.size
                let frame = session.composed(width: size.width, height: size.height)
                let built = Date()
                screen.paint(frame, full: fullRepaint)
                stats.imagesSent += screen.imagesSentLastPaint
                let painted = Date()
                stats.frames += 1
                stats.buildMilliseconds.append(built.timeIntervalSince(started) * 1000)
                stats.paintMilliseconds.append(painted.timeIntervalSince(built) * 1000)
                session.recordFrameTime(milliseconds: painted.timeIntervalSince(started) * 1000)
                if stats.startupMilliseconds == nil {
                    stats.startupMilliseconds = painted.timeIntervalSince(launched) * 1000
                    session.startMetrics()
                }
                for keyTime in pendingKeyTimes {
                    stats.keyToFrameMilliseconds.append(painted.timeIntervalSince(keyTime) * 1000)
                }
                pendingKeyTimes.removeAll()
                needsPaint = false
                fullRepaint = false
            }

            // Wait for a key, but no longer than the next scripted key or tick.
            var timeout = session.millisecondsUntilNextTick()
            if playback.peek != nil {
                timeout = min(timeout, max(0, Int(nextScriptTime.timeIntervalSinceNow * 1000)))
            }
            var key = screen.readKey(timeoutMilliseconds: timeout)
            // Real keys come first: q or Ctrl-C interrupts any script.
            if key == nil, playback.peek != nil, Date() >= nextScriptTime {
                key = playback.next()?.key
                if let next = playback.peek {
                    nextScriptTime = Date().addingTimeInterval(Double(next.delayBefore) / 1000)
                }
            }
            if let key {
                let received = Date()
                switch session.handle(key) {
                case .quit:
                    return Outcome(exitStatus: 0, stats: stats)
                case .redraw:
                    fullRepaint = key != .resize
                case .suspend:
                    screen.suspend()
                    fullRepaint = true
                default:
                    break
                }
                if key != .resize { pendingKeyTimes.append(received) }
                needsPaint = true
            }
        }
    }
}

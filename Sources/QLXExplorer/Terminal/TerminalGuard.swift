#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Makes sure the terminal is restored however the explorer ends.
///
/// - SIGTERM, SIGINT, SIGHUP: the handler only records the signal; the event loop (which
///   wakes at least every 100 ms) sees it, calls endwin and exits with 128 + signal.
///   Installed before ncurses starts, so ncurses keeps its hands off these signals.
/// - Crashes (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT): endwin is not safe in a
///   signal handler, so the handler puts back the saved termios (tcsetattr is
///   async-signal-safe), writes the reset sequences (attributes off, cursor on, leave the
///   alternate screen) with write(2), then puts back the previous handler (the Swift
///   runtime's backtracer, or the default) and raises the signal again.
/// - Thrown errors and normal exit: the caller's `defer { screen.close() }`.
enum TerminalGuard {
    nonisolated(unsafe) static var pendingSignal: Int32 = 0
    nonisolated(unsafe) private static var savedTermios = termios()
    nonisolated(unsafe) private static var haveSavedTermios = false
    private static let resetSequence: [UInt8] = Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\u{1B}[?1l\u{1B}>\r\n".utf8)
    nonisolated(unsafe) private static var resetBytes: UnsafeMutablePointer<UInt8>?
    nonisolated(unsafe) private static var resetCount = 0
    /// Handlers before ours, by signal number, put back on uninstall or a crash.
    nonisolated(unsafe) private static var previous: [sigaction] = Array(repeating: emptyAction(), count: 65)
    private static func emptyAction() -> sigaction { sigaction() }

    static let quitSignals: [Int32] = [SIGTERM, SIGINT, SIGHUP]
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT]

    /// Call before starting ncurses.
    static func install() {
        if tcgetattr(STDIN_FILENO, &savedTermios) == 0 { haveSavedTermios = true }
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: resetSequence.count)
        bytes.initialize(from: resetSequence, count: resetSequence.count)
        resetBytes = bytes
        resetCount = resetSequence.count
        for signalNumber in quitSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { TerminalGuard.pendingSignal = $0 }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signalNumber, &action, &previous[Int(signalNumber)])
        }
        for signalNumber in crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signalNumber in
                TerminalGuard.restoreFromSignalHandler()
                sigaction(signalNumber, &TerminalGuard.previous[Int(signalNumber)], nil)
                raise(signalNumber)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signalNumber, &action, &previous[Int(signalNumber)])
        }
    }

    /// Back to the previous handlers once the terminal is restored.
    static func uninstall() {
        for signalNumber in quitSignals + crashSignals {
            sigaction(signalNumber, &previous[Int(signalNumber)], nil)
        }
    }

    private static func restoreFromSignalHandler() {
        if haveSavedTermios { tcsetattr(STDIN_FILENO, TCSANOW, &savedTermios) }
        if let resetBytes { _ = write(STDOUT_FILENO, resetBytes, resetCount) }
    }
}

import Foundation
import QLXIO
import QLXRender

/// What the terminals on stdout and stderr can do, as every command asks it: the rules
/// themselves are QLXRender's `TerminalCapabilities` (TERM, COLORTERM, NO_COLOR, the locale).
enum Streams {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var standardOutputIsTerminal: Bool { StandardStream.output.isTerminal }

    /// Colour depth and UTF-8 of stdout, with `--colors` and `--mode` applied.
    static func standardOutput(colors: ColorDepth? = nil, mode: RenderMode? = nil) -> TerminalCapabilities {
        TerminalCapabilities.detect(environment: environment, isTerminal: standardOutputIsTerminal)
            .overriding(colors: colors, mode: mode)
    }

    /// Whether stderr is a terminal that can redraw a line in place (progress bars): not a
    /// pipe or file, and not a dumb terminal.
    static var standardErrorRedraws: Bool {
        StandardStream.error.isTerminal && !TerminalCapabilities.isDumb(environment: environment, isTerminal: true)
    }

    /// Columns of the terminal on stdout; nil in pipes.
    static var standardOutputColumns: Int? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// "qlx: warning: …" on stderr: something was ignored, and the command goes on.
    static func warn(_ message: String) {
        writeStandardError("qlx: warning: \(oneLine(message))\n")
    }

    /// A line on stderr (what was written, progress notes), keeping stdout for results.
    static func note(_ line: String) {
        writeStandardError(line + "\n")
    }

    /// Every command's results on stdout: text written whole, or an error when stdout cannot
    /// take it (a full disk, a closed descriptor), which ends the command like any other
    /// (one line, exit 1) instead of trapping or exiting 0 with nothing written. A closed pipe
    /// ends qlx by SIGPIPE, as it ends any Unix filter.
    static func output(_ text: String) throws {
        let failure = write(text, to: STDOUT_FILENO)
        if failure != 0 {
            throw FileWriteError(path: "standard output", reason: String(cString: strerror(failure)))
        }
    }

    /// Every write to stderr: a failed write is dropped, never fatal (stderr is where it would
    /// be reported). After a hang-up the terminal is gone and writes fail (EIO), yet training
    /// must still reach its save (Foundation's `FileHandle.write(_:)` would end the process).
    static func writeStandardError(_ text: String) {
        _ = write(text, to: STDERR_FILENO)
    }

    /// Writes all of `text` to `fd`; 0, or the errno of the write that failed.
    private static func write(_ text: String, to fd: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return written == 0 ? EIO : errno }
                done += written
            }
            return 0
        }
    }

    /// A closed stdin, stdout or stderr (`qlx traverse >&-`) is held open on /dev/null, so the
    /// next file qlx opens cannot take its number (stdout's text would go into a checkpoint
    /// being written); stdout's is read-only, so writing results still fails, with an error.
    static func holdClosedStandardDescriptors() {
        for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(fd, F_GETFD) == -1 {
            _ = Glibc.open("/dev/null", fd == STDERR_FILENO ? O_WRONLY : O_RDONLY)
        }
    }
}

/// Progress on stderr: a one-line bar where stderr can redraw a line; elsewhere (a pipe, a CI
/// log, a dumb terminal) a plain line at each quarter and at each new stage, once the job has
/// run for `quietSeconds` (`$QLX_PROGRESS_SECONDS`, default 3), so a long run is not silent and
/// a short one adds nothing to the log.
final class ProgressBar: @unchecked Sendable {
    let label: String
    let finalStage: String?
    let redraws = Streams.standardErrorRedraws
    let quietSeconds: Double
    private let start = Date()
    private var lastDrawn = -1
    private var nextQuarter = 0
    private var lastStage: String?
    /// The step the job named last (`enter`); until it names one, `label` and `finalStage`.
    private var enteredStage: String?
    private var lastFraction = 0.0

    /// `finalStage` replaces the label for the last tenth (the metrics computed after encoding)
    /// unless the job names its steps with `enter`.
    init(label: String, finalStage: String? = "computing InfoMEC") {
        self.label = label
        self.finalStage = finalStage
        quietSeconds = Streams.environment["QLX_PROGRESS_SECONDS"].flatMap(Double.init).map { max($0, 0) } ?? 3
    }

    func update(_ fraction: Double) {
        let percent = Int((min(max(fraction, 0), 1) * 100).rounded(.down))
        lastFraction = fraction
        let stage = enteredStage ?? (fraction < 0.9 ? label : finalStage ?? label)
        guard redraws else {
            guard percent >= nextQuarter || stage != lastStage, percent < 100,
                  Date().timeIntervalSince(start) >= quietSeconds else { return }
            nextQuarter = (percent / 25 + 1) * 25
            lastDrawn = percent
            lastStage = stage
            Streams.writeStandardError("qlx: \(percent)%  \(stage)\n")
            return
        }
        guard percent != lastDrawn || stage != lastStage else { return }
        lastDrawn = percent
        lastStage = stage
        let width = 30
        let filled = percent * width / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        Streams.writeStandardError("\r\(bar) \(percent)%  \(stage)\(ANSI.escape)K")
    }

    /// Names the step that begins now, and shows it.
    func enter(_ stage: String) {
        enteredStage = stage
        update(lastFraction)
    }

    func finish() {
        guard lastDrawn >= 0 else { return }
        Streams.writeStandardError(redraws ? "\r\(ANSI.escape)K" : "qlx: 100%  \(label): done\n")
    }
}

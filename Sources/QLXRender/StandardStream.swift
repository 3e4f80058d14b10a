import Foundation

/// The process's three standard streams, and the one place that asks whether one is a
/// terminal (every command, the explorer and the graphics probe ask here).
public enum StandardStream: CaseIterable, Sendable {
    case input, output, error

    public var fileDescriptor: Int32 {
        switch self {
        case .input: return STDIN_FILENO
        case .output: return STDOUT_FILENO
        case .error: return STDERR_FILENO
        }
    }

    /// How messages name the stream ("standard input").
    public var name: String {
        switch self {
        case .input: return "standard input"
        case .output: return "standard output"
        case .error: return "standard error"
        }
    }

    /// Whether the stream is a terminal (not a pipe, a file or /dev/null).
    public var isTerminal: Bool { isatty(fileDescriptor) == 1 }

    /// The first of `streams` that is not a terminal, if any: what a full-screen program,
    /// which reads keys from one and draws on the other, must refuse to start on.
    public static func firstNotATerminal(among streams: [StandardStream] = [.input, .output]) -> StandardStream? {
        streams.first { !$0.isTerminal }
    }
}

import QLXIO

/// What can go wrong in the explorer because of user input or the environment.
public enum ExplorerError: Error, CustomStringConvertible, Equatable {
    case notATerminal(stream: String)
    case dumbTerminal(term: String)
    case terminalSetupFailed(term: String)
    case badKeyScript(source: String, token: String, reason: String)
    case scriptTooLarge(source: String, bytes: Int, limit: Int)
    case emptyModel(reason: String)
    /// The settings file cannot be used; it is left as it is.
    case badConfig(path: String, reason: String)
    case cannotSaveConfig(path: String, reason: String)

    public var description: String {
        switch self {
        case .notATerminal(let stream):
            return "qlx explore needs an interactive terminal, but \(stream) is not one; to print images to a pipe or file use `qlx traverse`"
        case .dumbTerminal(let term):
            return "qlx explore needs a full-screen terminal, but TERM=\(term); use a terminal such as xterm, or `qlx traverse` for plain output"
        case .terminalSetupFailed(let term):
            return "could not set up the terminal (TERM=\(term), also tried xterm-256color and xterm); use `qlx traverse` for plain output"
        case .badKeyScript(let source, let token, let reason):
            return "\(source): cannot read key \(quoted(token)): \(reason)"
        case .scriptTooLarge(let source, let bytes, let limit):
            return "\(source): a key script of \(bytes) bytes; the limit is \(limit) bytes"
        case .emptyModel(let reason):
            return "cannot explore this model: \(reason)"
        case .badConfig(let path, let reason):
            return "ignoring the settings in \(path): \(reason); fix or remove the file (qlx will not save settings over it)"
        case .cannotSaveConfig(let path, let reason):
            return "settings not saved to \(path): \(reason)"
        }
    }
}

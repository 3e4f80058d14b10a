/// A flag value (or a combination of flags) a command cannot use: a usage error, printed by
/// `QLX.main` as one line ("qlx: --latent: expected …, found …") with exit status 64.
enum FlagError: Error, CustomStringConvertible, Equatable {
    case badValue(flag: String, expected: String, found: String)
    case unknownName(flag: String, kind: String, found: String, choices: [String])
    case conflict(flag: String, other: String, reason: String)
    case badCombination(String)

    var description: String {
        switch self {
        case let .badValue(flag, expected, found): return "\(flag): expected \(expected), found \(found)"
        case let .unknownName(flag, kind, found, choices):
            return "\(flag): unknown \(kind) '\(found)'; expected one of \(choices.joined(separator: ", "))"
        case let .conflict(flag, other, reason): return "\(flag) cannot be combined with \(other): \(reason)"
        case let .badCombination(message): return message
        }
    }
}

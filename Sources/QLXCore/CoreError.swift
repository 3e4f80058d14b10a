/// Errors from QLXCore that come from data a user handed in (e.g. a checkpoint's optimizer state).
public enum CoreError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidOptimizerState(reason: String)

    public var description: String {
        switch self {
        case .invalidOptimizerState(let reason):
            return "optimizer state: \(reason)"
        }
    }
}

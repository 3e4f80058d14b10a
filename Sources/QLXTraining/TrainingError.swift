/// Everything that can be wrong with a training request: flags, a checkpoint to resume from,
/// the output path. Each message is one line naming the flag or file, what was expected and
/// what was found.
public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A flag whose value cannot be used.
    case invalidFlag(flag: String, expected: String, found: String)
    /// A flag that cannot be given together with another one.
    case conflictingFlags(flag: String, other: String, reason: String)
    /// A checkpoint given to --resume that holds no training state.
    case missingTrainingState(path: String)
    /// A checkpoint whose training state cannot be used.
    case invalidTrainingState(path: String, reason: String)
    /// The loss stopped being a finite number; the last checkpoint on disk is the last good state.
    case diverged(step: Int, loss: Float)

    public var description: String {
        switch self {
        case .invalidFlag(let flag, let expected, let found):
            return "\(flag): expected \(expected), found \(found)"
        case .conflictingFlags(let flag, let other, let reason):
            return "\(flag) cannot be combined with \(other): \(reason)"
        case .missingTrainingState(let path):
            return "\(path): no training state (metadata qlx.training_state); only checkpoints written by `qlx train` can be resumed"
        case .invalidTrainingState(let path, let reason):
            return "\(path): cannot resume: \(reason)"
        case .diverged(let step, let loss):
            return "training diverged at step \(step): loss is \(loss); lower --lr or resume from the last checkpoint"
        }
    }
}

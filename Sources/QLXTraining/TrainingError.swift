/// Everything that can be wrong with a training request: a setting, a checkpoint to resume
/// from. Each message is one line naming the setting or file, what was expected and what was
/// found. Settings are named as `TrainingOptions` names them; `qlx train` maps them to its
/// flags.
public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A setting whose value cannot be used.
    case invalidSetting(TrainingSetting, expected: String, found: String)
    /// A list of layer widths that cannot be read (`ModelBuilder.parseWidths`, named by its caller).
    case invalidWidths(name: String, found: String)
    /// A checkpoint given to --resume that holds no training state.
    case missingTrainingState(path: String)
    /// A checkpoint whose training state cannot be used.
    case invalidTrainingState(path: String, reason: String)
    /// The loss stopped being a finite number; the last checkpoint on disk is the last good state.
    case diverged(step: Int, loss: Float)
    /// A dataset file changed under the run (`change` names it and how); the state before the
    /// step that would have read it was saved to `checkpoint`.
    case dataChanged(change: String, stepsDone: Int, checkpoint: String)

    public var description: String {
        switch self {
        case .invalidSetting(let setting, let expected, let found):
            return "\(setting.rawValue): expected \(expected), found \(found)"
        case .invalidWidths(let name, let found):
            return "\(name): expected comma-separated positive integers such as 32,64,64,128, found '\(found)'"
        case .missingTrainingState(let path):
            return "\(path): no training state (metadata qlx.training_state); only checkpoints written by `qlx train` can be resumed"
        case .invalidTrainingState(let path, let reason):
            return "\(path): cannot resume: \(reason)"
        case .diverged(let step, let loss):
            return "training diverged at step \(step): loss is \(loss); lower the learning rate or resume from the last checkpoint"
        case .dataChanged(let change, let stepsDone, let checkpoint):
            return "\(change); saved \(checkpoint) after step \(stepsDone); once the file is whole again, resume with: qlx train --resume \(checkpoint)"
        }
    }
}

/// The settings of a run, as error messages name them.
public enum TrainingSetting: String, Sendable, CaseIterable {
    case steps, batchSize = "batch size", learningRate = "learning rate"
    case learningRateDrop = "learning-rate drop", weightDecay = "weight decay"
    case quantizationWeight = "quantization weight", commitmentWeight = "commitment weight"
    case evaluationSamples = "evaluation samples"
}

/// Everything that can be wrong with a run of the reference code a user hands to qlx. Each
/// message is one line naming the file, what was expected and what was found.
public enum ReferenceError: Error, CustomStringConvertible, Equatable, Sendable {
    case notFound(path: String)
    case noCheckpoint(path: String, reason: String)
    case stepNotFound(path: String, step: Int, available: [Int])
    case noConfig(path: String)
    case unreadableConfig(path: String, reason: String)
    case missingConfigKey(path: String, key: String)
    case badConfigValue(path: String, key: String, expected: String, found: String)
    case unsupported(path: String, what: String)
    case unreadableRecords(path: String, reason: String)
    /// A checkpoint whose records fit `found` latents, read with a config that says `expected`.
    case latentCount(path: String, config: String, found: Int, expected: Int)
    case recordCount(path: String, expected: Int, found: Int)
    case tooManyRecords(path: String, expected: Int)
    case recordMismatch(path: String, index: Int, leaf: String, expected: String, found: String)
    case invalidModel(path: String, reason: String)
    case optionsNeedReference(path: String, option: String)
    case newestStepUnreadable(path: String, step: Int, reason: String, readable: Int?)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "\(path): no such file or folder"
        case .noCheckpoint(let path, let reason):
            return "\(path): no reference checkpoint found: \(reason)"
        case .stepNotFound(let path, let step, let available):
            guard available.count > 8 else {
                let found = available.isEmpty ? "none" : available.map(String.init).joined(separator: ", ")
                return "\(path): no checkpoint for step \(step); steps found: \(found)"
            }
            // A long run saves thousands of steps: the range and the few nearest, not all of them.
            let nearest = available.sorted { abs(Double($0) - Double(step)) < abs(Double($1) - Double(step)) }.prefix(3).sorted()
            return "\(path): no checkpoint for step \(step); \(available.count) steps found from \(available.first!) to \(available.last!), the nearest \(nearest.map(String.init).joined(separator: ", "))"
        case .noConfig(let path):
            return "\(path): no config.yaml beside the checkpoint or in a folder above it (wandb's files/config.yaml or Hydra's .hydra/config.yaml); name one with --config FILE"
        case .unreadableConfig(let path, let reason):
            return "\(path): cannot read the config: \(reason)"
        case .missingConfigKey(let path, let key):
            return "\(path): config has no \(key) (expected the reference's resolved Hydra config)"
        case .badConfigValue(let path, let key, let expected, let found):
            return "\(path): config \(key): expected \(expected), found \(found)"
        case .unsupported(let path, let what):
            return "\(path): not supported yet: \(what)"
        case .unreadableRecords(let path, let reason):
            return "\(path): not a readable .eqx file: \(reason)"
        case .latentCount(let path, let config, let found, let expected):
            return "\(path): the checkpoint holds \(found) latents, but its config \(config) says \(expected) (model_partial.latent_partial.num_latents); name the run's own config with --config FILE"
        case .recordCount(let path, let expected, let found):
            return "\(path): expected \(expected) records for this config, found only \(found)"
        case .tooManyRecords(let path, let expected):
            return "\(path): expected \(expected) records for this config, found more after the last one"
        case .recordMismatch(let path, let index, let leaf, let expected, let found):
            return "\(path): record \(index) (\(leaf)): expected \(expected), found \(found)"
        case .invalidModel(let path, let reason):
            return "\(path): \(reason)"
        case .newestStepUnreadable(let path, let step, let reason, let readable):
            let instead = readable.map { "pass --step \($0) to open the newest readable one" } ?? "no older step is readable"
            return "\(path): the newest checkpoint, step=\(step)/model.eqx, \(reason); \(instead)"
        case .optionsNeedReference(let path, let option):
            return "\(path): \(option) applies to reference runs (a run folder or a .eqx file), not to a qlx checkpoint"
        }
    }
}

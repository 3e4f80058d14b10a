import QLXModel

/// The one way commands open a model: a qlx `.safetensors` checkpoint, or a reference run (a
/// run folder, `files/`, `checkpoint/`, `step=N/` or `model.eqx`) turned into one. A
/// reference run's checkpoint carries where it came from in metadata (`qlx.reference.*`), so
/// `qlx info` can show it and `qlx convert` keeps it.
public enum CheckpointSource {
    public static let familyKey = "qlx.reference.family"
    public static let modelKey = "qlx.reference.model"
    public static let configKey = "qlx.reference.config"
    public static let stepKey = "qlx.reference.step"
    public static let stepsKey = "qlx.reference.steps"

    /// `step` and `config` apply to reference runs only; with a `.safetensors` file they are
    /// refused rather than ignored.
    /// `note` hears the choices made on the user's behalf (`RunFolder.notes`), one line each.
    public static func open(_ path: String, step: Int? = nil, config: String? = nil,
                            note: (String) -> Void = { _ in }) throws -> Checkpoint {
        guard RunFolder.isReference(path) else {
            if step != nil || config != nil {
                throw ReferenceError.optionsNeedReference(path: path, option: step != nil ? "--step" : "--config")
            }
            return try Checkpoint.read(from: path)
        }
        let run = try ReferenceRun(path: path, step: step, config: config)
        run.location.notes.forEach(note)
        var metadata = [
            familyKey: run.spec.family.rawValue,
            modelKey: run.location.modelFile,
            configKey: run.location.configFile,
        ]
        if let step = run.location.step { metadata[stepKey] = String(step) }
        if !run.location.steps.isEmpty { metadata[stepsKey] = run.location.steps.map(String.init).joined(separator: ",") }
        return Checkpoint(model: run.model, metadata: metadata)
    }

    /// The path that names the model `checkpoint` holds, for titles: a reference run's
    /// model.eqx (so a job or wandb folder is named by the run opened inside it, not by the
    /// folder typed), else `path`.
    public static func modelPath(of checkpoint: Checkpoint, openedAs path: String) -> String {
        checkpoint.metadata[modelKey] ?? path
    }
}

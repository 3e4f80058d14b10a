import ArgumentParser
import QLXModel
import QLXReference

/// `--step` and `--config`: which checkpoint of a reference run, and its config, for every
/// command that takes a checkpoint.
struct ReferenceRunOptions: ParsableArguments {
    @Option(help: "Reference runs: the checkpoint step (default: the newest step=N folder).")
    var step: Int?

    @Option(help: "Reference runs: the config.yaml (default: found beside the checkpoint or above it).")
    var config: String?
}

/// The one loading function of every command: a .safetensors checkpoint, or a reference run
/// (wandb run folder, files/, checkpoint/step=N/ or model.eqx) as one.
func loadCheckpoint(_ path: String, _ options: ReferenceRunOptions) throws -> Checkpoint {
    try CheckpointSource.open(path, step: options.step, config: options.config)
}

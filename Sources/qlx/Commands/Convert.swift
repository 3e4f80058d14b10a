import ArgumentParser
import QLXIO
import QLXModel

/// `qlx convert`: any checkpoint qlx opens (a reference run, or a qlx file) written as a qlx
/// .safetensors checkpoint, config and provenance included.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a reference run (or any checkpoint qlx opens) as a qlx .safetensors checkpoint.")

    @OptionGroup var source: CheckpointArgument

    /// -o/--output: the .safetensors file to write.
    @OptionGroup var target: OutputOption
    @OptionGroup var force: ForceOption

    func run() throws {
        guard let output = target.path else { throw FlagError.badCombination("-o/--output: give the .safetensors file to write") }
        let outputKind = force.replacing(SafetensorsFile.fileKind)
        try SafetensorsFile.checkOutput(output, replacing: outputKind)
        let checkpoint = try source.load()
        try checkpoint.write(to: output, replacing: outputKind)
        try Streams.output("wrote \(output) (\(checkpoint.parameterCount) parameters, \(checkpoint.config.latent.count) latents)\n")
    }
}

import ArgumentParser
import QLXModel

/// `qlx convert`: any checkpoint qlx opens (a reference run, or a qlx file) written as a qlx
/// .safetensors checkpoint, config and provenance included.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a reference run (or any checkpoint qlx opens) as a qlx .safetensors checkpoint.")

    @Argument(help: "A reference run (run folder, files/, step=N/, model.eqx) or a .safetensors checkpoint.")
    var source: String

    @OptionGroup var referenceRun: ReferenceRunOptions

    @Option(name: [.short, .long], help: "The .safetensors file to write.")
    var output: String

    func run() throws {
        let checkpoint = try loadCheckpoint(source, referenceRun)
        try checkpoint.write(to: output)
        print("wrote \(output) (\(checkpoint.parameterCount) parameters, \(checkpoint.config.latent.count) latents)")
    }
}

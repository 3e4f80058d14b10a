import ArgumentParser

@main
struct QLX: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qlx",
        abstract: "Explore the quantized latent space of QLAE models from a terminal.",
        discussion: """
        Run with no arguments to open the explorer on the bundled model
        (assets/sprites-qlae.safetensors, or $QLX_MODEL).
        """,
        subcommands: [
            Info.self,
            Explore.self,
            Traverse.self,
            Metrics.self,
            Encode.self,
            Train.self,
            Bench.self,
        ],
        defaultSubcommand: Explore.self
    )
}

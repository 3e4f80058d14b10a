import ArgumentParser

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a checkpoint.")
    @Argument(help: "Path to a .safetensors checkpoint.") var checkpoint: String
    func run() throws { print(checkpoint) }
}

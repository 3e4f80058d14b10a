import ArgumentParser
import Foundation

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
            Decode.self,
            Convert.self,
            Train.self,
            Bench.self,
        ],
        defaultSubcommand: Explore.self
    )

    /// Parses and runs as ArgumentParser would, except that its parse and validation errors
    /// (a missing value, an unknown option, a value of the wrong type), which it prints as an
    /// error, a help line, the usage and a hint, become one line on stderr, like every other
    /// error of qlx. Help, `--version` and the commands' own exit codes pass through unchanged.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode { exit(withError: error) }
            FileHandle.standardError.write(Data((oneLineMessage(for: error) + "\n").utf8))
            Foundation.exit(code.rawValue)
        }
    }

    /// "qlx: missing value for '--latent <latent>' (see 'qlx traverse --help')".
    static func oneLineMessage(for error: Error) -> String {
        let lines = fullMessage(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var first = lines.first ?? "\(error)"
        if first.hasPrefix("Error: ") { first.removeFirst("Error: ".count) }
        if let c = first.first, c.isUppercase, first.dropFirst().first?.isLowercase == true {
            first = c.lowercased() + first.dropFirst()
        }
        guard let hint = lines.first(where: { $0.hasPrefix("See '") }),
              let start = hint.firstIndex(of: "'"), let end = hint[hint.index(after: start)...].firstIndex(of: "'") else {
            return "qlx: \(first)"
        }
        return "qlx: \(first) (see \(hint[start...end]))"
    }
}

import ArgumentParser
import Foundation
import QLXIO

@main
struct QLX: ParsableCommand {
    /// The version of qlx, defined here only (`qlx --version`, and the release artefacts'
    /// names through it).
    static let version = "0.9.0"

    static let configuration = CommandConfiguration(
        commandName: "qlx",
        abstract: "Explore the quantized latent space of QLAE models from a terminal.",
        discussion: """
        Run with no arguments to open the explorer on the bundled model \
        (scenes-qlae.safetensors if present, else sprites-qlae.safetensors, from ./assets, \
        share/qlx beside the program's bin/ in a release, or the assets/ folder of the source \
        tree it was built in; or $QLX_MODEL). A bundled model also opens by name: \
        qlx explore sprites.
        """,
        version: version,
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

    /// The one place that ends qlx: commands only throw, and this prints every error as one
    /// line "qlx: …" on stderr and picks the exit status (64 for usage errors: ArgumentParser's
    /// own and `FlagError`; 1 for everything else; a command's `ExitCode` as it is). Help and
    /// `--version` print as ArgumentParser prints them.
    static func main() {
        Streams.holdClosedStandardDescriptors()
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            // Before ArgumentParser, which would print the bare version: the commit and the
            // kind of build matter when reporting a problem with a release.
            if arguments == ["--version"] {
                print(VersionInfo.line())
                end(0)
            }
            if let unknown = unknownCommand(in: arguments) { throw unknown }
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let exit as ExitCode {
            end(exit.rawValue)
        } catch let error as FlagError {
            fail("qlx: \(error)", status: ExitCode.validationFailure.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }   // help, --version
            fail(oneLineMessage(for: error), status: code.rawValue)
        }
        // What went through stdio (the bench's tables) is checked like Streams.output: stdio
        // keeps what it could not write, so the last flush fails again.
        errno = 0
        if fflush(nil) != 0 {
            let reason = errno != 0 ? String(cString: strerror(errno)) : "a write failed"
            fail("qlx: \(FileWriteError(path: "standard output", reason: reason))", status: 1)
        }
        end(0)
    }

    /// Ends the process without atexit handlers: the explorer's background metrics may be
    /// inside OpenBLAS, whose exit handler would wait for them to finish (minutes). Nothing
    /// is left to save by then: checkpoints and exports are written atomically when asked for.
    static func end(_ status: Int32) -> Never {
        fflush(nil)
        _exit(status)
    }

    static func fail(_ line: String, status: Int32) -> Never {
        Streams.writeStandardError(line + "\n")
        end(status)
    }

    /// A first argument that is neither an option, a subcommand nor a checkpoint path (the
    /// default command, explore, takes one): "qlx travers" is a typo, not a file to open.
    static func unknownCommand(in arguments: [String]) -> FlagError? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        if names.contains(first) || first.contains("/") || first.contains(".")
            || FileManager.default.fileExists(atPath: first) {
            return nil
        }
        let commands = names.filter { $0 != "help" }
        if let nearest = commands.min(by: { editDistance($0, first) < editDistance($1, first) }),
           editDistance(nearest, first) <= 2 {
            return .badCombination("unknown command '\(first)'; did you mean '\(nearest)'?")
        }
        return .badCombination("unknown command '\(first)'; expected one of \(commands.joined(separator: ", ")), or a checkpoint path")
    }

    /// Insertions, deletions and substitutions that turn `a` into `b` (Levenshtein).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// "qlx: missing value for '--latent <latent>' (see 'qlx traverse --help')": the first line
    /// of ArgumentParser's message (the error itself for the libraries' errors, which are one
    /// line already) and the help to read.
    static func oneLineMessage(for error: Error) -> String {
        // qlx's own errors are one line already: a newline or an escape byte in one is a value
        // that came in raw, shown escaped rather than cutting the message or reaching the terminal.
        let full = fullMessage(for: error)
        let lines = [String(describing: error), "Error: \(error)"].contains(full) ? [oneLine(full)]
            : full.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var first = lines.first ?? "\(error)"
        if first.hasPrefix("Error: ") { first.removeFirst("Error: ".count) }
        // ArgumentParser's sentences start with a capital ("Missing value"); a message that
        // starts with a file's path ("Tests/a.h5: ...") keeps it as typed.
        if let c = first.first, c.isUppercase, first.dropFirst().first?.isLowercase == true,
           first.prefix(while: { $0 != " " }).allSatisfy(\.isLetter) {
            first = c.lowercased() + first.dropFirst()
        }
        guard let hint = lines.first(where: { $0.hasPrefix("See '") }),
              let start = hint.firstIndex(of: "'"), let end = hint[hint.index(after: start)...].firstIndex(of: "'") else {
            return "qlx: \(first)"
        }
        return "qlx: \(first) (see \(hint[start...end]))"
    }
}

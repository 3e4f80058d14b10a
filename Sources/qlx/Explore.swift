import ArgumentParser
import Foundation
import QLXExplorer
import QLXRender

struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk a model's quantized latent space interactively (the default command).",
        discussion: """
        Keys:
        \(KeyTable.helpLines().map { "  " + $0 }.joined(separator: "\n"))

        Demos and measurements: --keys "l l j T" (or --script FILE) replays keystrokes. \
        Tokens are separated by spaces: a single character is that key (l, j, ?, 3); names are \
        Up Down Left Right Home End PageUp PageDown Esc Enter Tab Space Backspace; C-x is Ctrl \
        plus a letter (C-l, C-c); 500ms or 1.5s waits; xN repeats the previous key N times in all \
        (l x5). Keys are --key-delay apart unless a pause says otherwise. In files, # starts a \
        comment. After the script the explorer stays interactive unless it quits (end with q).

        Needs a terminal on standard input and output; for pipes and files use `qlx traverse`. \
        Respects NO_COLOR, TERM and the locale (ASCII without UTF-8).
        """)

    @Argument(help: "A .safetensors checkpoint or a reference run (run folder, files/, step=N/, model.eqx); default: the bundled model.")
    var checkpoint: String?

    @Argument(help: "A second checkpoint or reference run of the same data and latent count, shown beside the first (keys act on both).")
    var comparison: String?

    @OptionGroup var referenceRun: ReferenceRunOptions

    @Option(help: "Keystrokes to replay at start, e.g. \"l l j T\" (syntax above).")
    var keys: String?

    @Option(help: "A file of keystrokes to replay (same syntax as --keys).")
    var script: String?

    @Option(name: .customLong("key-delay"), help: "Milliseconds between replayed keys.")
    var keyDelay = 150

    @Flag(help: "Print start-up time and key-to-frame latency after exit.")
    var stats = false

    @Option(help: "Initial render mode: \(RenderMode.allCases.map(\.rawValue).joined(separator: ", ")).")
    var mode: String?

    @Option(help: "Highest colour depth to use: \(ColorDepth.allCases.map(\.rawValue).joined(separator: ", ")).")
    var colors: String?

    @Option(name: .customLong("metric-samples"), help: "Samples for the background metrics (0: none). Not run when the checkpoint stores metrics on at least this many samples (the bundled model: 10,000).")
    var metricSamples = 2_000

    @Option(help: "Continuous models (AE, VAE): values per latent to step through, at quantiles of its encoded values.")
    var values = 10

    @Option(help: "Dataset for samples and metrics (default: the checkpoint's).")
    var dataset: String?

    @Option(help: "Seed for random codes and the metric samples.")
    var seed: UInt64 = 0

    @Option(name: .customLong("export-dir"), help: "Directory for PNGs exported with e.")
    var exportDirectory: String?

    func validate() throws {
        if keys != nil && script != nil { throw ValidationError("--keys and --script: give one, not both") }
        if keyDelay < 0 || keyDelay > 60_000 { throw ValidationError("--key-delay: expected 0…60000 ms, found \(keyDelay)") }
        if values < 1 || values > 1_000 { throw ValidationError("--values: expected 1…1000, found \(values)") }
        if metricSamples < 0 { throw ValidationError("--metric-samples: expected ≥ 0, found \(metricSamples)") }
        if let mode, RenderMode(rawValue: mode) == nil { throw RenderError.unknownMode(flag: "--mode", value: mode) }
        if let colors, ColorDepth(rawValue: colors) == nil {
            throw RenderError.unknownColorDepth(flag: "--colors", value: colors)
        }
    }

    func run() throws {
        let launched = Date()
        // Fail on a pipe before loading anything.
        for (fd, name) in [(STDIN_FILENO, "standard input"), (STDOUT_FILENO, "standard output")] where isatty(fd) != 1 {
            throw ExplorerError.notATerminal(stream: name)
        }
        let replay = try loadScript()
        let path = try checkpoint ?? BundledModel.locate()
        let session = try ExplorerSetup.session(ExplorerSetup.Options(
            checkpointPath: path, checkpoint: try loadCheckpoint(path, referenceRun), datasetName: dataset,
            metricSamples: metricSamples, seed: seed,
            exportDirectory: exportDirectory ?? FileManager.default.currentDirectoryPath, values: values,
            comparison: try comparison.map { try loadCheckpoint($0, referenceRun) }, comparisonPath: comparison))
        session.preferredMode = mode.flatMap(RenderMode.init(rawValue:))
        session.colorLimit = colors.flatMap(ColorDepth.init(rawValue:))
        session.start()
        let outcome: ExplorerApp.Outcome
        do {
            outcome = try ExplorerApp.run(session: session, environment: ProcessInfo.processInfo.environment,
                                          script: replay, launched: launched)
        } catch {
            // Same wording as ArgumentParser; see below for why not its exit.
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Explore.exitNow(1)
        }
        // The terminal is restored by now, so printing is safe.
        if stats { print(outcome.stats.report) }
        Explore.exitNow(outcome.exitStatus)
    }

    /// Ends the process without atexit handlers: the background metrics may be inside
    /// OpenBLAS, whose exit handler would wait for them to finish (minutes). Nothing is left
    /// to save: exports are written atomically when asked for.
    static func exitNow(_ status: Int32) -> Never {
        fflush(nil)
        _exit(status)
    }

    private func loadScript() throws -> KeyScript? {
        if let keys { return try KeyScript(parsing: keys, defaultGap: keyDelay, source: "--keys") }
        guard let script else { return nil }
        guard let text = try? String(contentsOfFile: script, encoding: .utf8) else {
            throw ExplorerError.unreadableScript(path: script, reason: "cannot read it as UTF-8 text")
        }
        return try KeyScript(parsing: text, defaultGap: keyDelay, source: script)
    }
}

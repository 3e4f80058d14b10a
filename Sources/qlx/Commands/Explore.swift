import ArgumentParser
import Foundation
import QLXData
import QLXExplorer
import QLXIO
import QLXReference
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

    @OptionGroup var checkpoint: CheckpointArgument

    @Argument(help: "A second checkpoint or reference run of the same data and latent count, shown beside the first (keys act on both).")
    var comparison: String?

    @Option(help: "Keystrokes to replay at start, e.g. \"l l j T\" (syntax above).")
    var keys: String?

    @Option(help: "A file of keystrokes to replay (same syntax as --keys).")
    var script: String?

    @Option(name: .customLong("key-delay"), help: "Milliseconds between replayed keys.")
    var keyDelay = 150

    @Flag(help: "Print start-up time and key-to-frame latency after exit.")
    var stats = false

    @Flag(help: "Start in presentation mode: one large image, its caption and the codebook ruler (p leaves it).")
    var present = false

    @OptionGroup var render: RenderFlags

    @Option(name: .customLong("metric-samples"), help: "Samples for the background metrics (0: none). Not run when the checkpoint stores metrics on at least this many samples (the bundled model: 10,000).")
    var metricSamples = 2_000

    @Option(help: "Continuous models (AE, VAE): values per latent to step through, at quantiles of its encoded values.")
    var values = 10

    @OptionGroup var dataset: DatasetOption
    @OptionGroup var seed: SeedOption

    @Option(name: .customLong("export-dir"), help: "Folder for the PNG (e) and GIF (E) exports (default: the current folder).")
    var exportDirectory: String?

    @Flag(inversion: .prefixedNo, help: "Mouse: click a latent or a thumbnail, wheel to step (default: on, or the settings file's).")
    var mouse: Bool?

    /// The flags, checked before anything is loaded.
    func checkFlags() throws {
        if keys != nil && script != nil { throw FlagError.badCombination("--keys and --script: give one, not both") }
        if keyDelay < 0 || keyDelay > 60_000 {
            throw FlagError.badValue(flag: "--key-delay", expected: "0…60000 ms", found: "\(keyDelay)")
        }
        if metricSamples < 0 { throw FlagError.badValue(flag: "--metric-samples", expected: "≥ 0", found: "\(metricSamples)") }
        if values < 1 || values > 1_000 { throw FlagError.badValue(flag: "--values", expected: "1…1000", found: "\(values)") }
        _ = try render.mode()
        _ = try render.colors()
        _ = try render.graphics()
        _ = try seed.value()
    }

    func run() throws {
        let launched = Date()
        try checkFlags()
        // Fail on a pipe before loading anything.
        if let stream = StandardStream.firstNotATerminal() { throw ExplorerError.notATerminal(stream: stream.name) }
        let replay = try loadScript()
        let path = try checkpoint.path()
        // Notes about the run opened go to the status line: stderr is under the screen.
        var notes: [String] = []
        let opened = try checkpoint.load(path) { notes.append($0) }
        let second = try comparison.map { path in (path: path, checkpoint: try checkpoint.load(path) { notes.append($0) }) }
        let session = try ExplorerSetup.session(ExplorerSetup.Options(
            checkpointPath: CheckpointSource.modelPath(of: opened, openedAs: path), checkpoint: opened,
            dataset: try dataset.givenDataset(),
            fallbackDataPath: Streams.environment["QLX_DATA"].flatMap { $0.isEmpty ? nil : $0 },
            metricSamples: metricSamples, seed: try seed.value(),
            exportDirectory: exportDirectory ?? FileManager.default.currentDirectoryPath, values: values,
            comparison: second?.checkpoint,
            comparisonPath: second.map { CheckpointSource.modelPath(of: $0.checkpoint, openedAs: $0.path) }))
        // Settings: flags, then the settings file, then the defaults.
        let configPath = ExplorerConfig.path(environment: Streams.environment)
        var config = ExplorerConfig(), configProblem: String?
        do {
            config = try configPath.map(ExplorerConfig.read(from:)) ?? config
        } catch {
            configProblem = "\(error)"
            Streams.warn("\(error)")
        }
        session.preferredMode = try render.mode()
        session.colorLimit = try render.colors()
        session.saved = config
        session.savedPath = configPath
        session.graphicsChoice = try render.graphics() ?? config.graphics ?? .auto
        if let ms = config.tourMilliseconds { session.tourInterval = ms }
        if present { session.present() }
        session.start()
        if let configProblem { session.note(configProblem) }
        for note in notes.reversed() { session.noteFirst(note) }
        let outcome = try ExplorerApp.run(session: session, environment: Streams.environment,
                                          script: replay, launched: launched, mouse: mouse ?? config.mouse ?? true)
        // The terminal is restored by now, so printing is safe.
        let keep = session.settings(updating: config)
        if let configPath, configProblem == nil, keep != config {
            do { try keep.write(to: configPath) } catch { Streams.warn("\(error)") }
        }
        if stats { try Streams.output(outcome.stats.report + "\n") }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }

    private func loadScript() throws -> KeyScript? {
        if let keys { return try KeyScript(parsing: keys, defaultGap: keyDelay, source: "--keys") }
        guard let script else { return nil }
        var info = stat()
        if stat(script, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) > KeyScript.maximumBytes {
            throw ExplorerError.scriptTooLarge(source: script, bytes: Int(info.st_size), limit: KeyScript.maximumBytes)
        }
        let text: String
        do { text = try InputFile.text(script, limit: KeyScript.maximumBytes) } catch let error as FileReadError {
            throw FlagError.badValue(flag: "--script", expected: "a UTF-8 text file of keys", found: "\(quoted(script)), which cannot be read: \(error.reason)")
        }
        return try KeyScript(parsing: text, defaultGap: keyDelay, source: script)
    }
}

import ArgumentParser
import Foundation
import QLXData
import QLXMetrics
import QLXModel

/// `qlx metrics`: InfoMEC, MIG, reconstruction and codebook usage of a checkpoint on its
/// dataset, or of plain .npy arrays of sources and latents.
struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure disentanglement (InfoM, InfoE, InfoC, MIG), reconstruction and codebook usage.",
        discussion: """
        With a checkpoint (default: the bundled model), encodes --samples images of its dataset \
        (seeded) and reports InfoMEC as defined by Hsu et al. 2023, MIG, reconstruction error and \
        per-latent codebook usage, with the NMI matrix as a heatmap (rows factors, columns latents).

        With --sources S.npy --latents Z.npy, computes the same on arrays (rows are samples): \
        sources are label-encoded per column; latents are discrete codes unless --continuous.
        """)

    @Argument(help: "A .safetensors checkpoint or a reference run (run folder, files/, step=N/, model.eqx); default: the bundled model.")
    var checkpoint: String?

    @OptionGroup var referenceRun: ReferenceRunOptions

    @Option(help: "Dataset to sample (default: the one named in the checkpoint).")
    var dataset: String?

    // Numbers are read as text and converted in `checkedFlags()` (see FlagValue): one-line errors.
    @Option(parsing: .unconditional, help: "Number of images to encode.")
    var samples = "10000"

    @Option(parsing: .unconditional, help: "Seed of the image sample.")
    var seed = "0"

    @Option(help: "Array mode: ground-truth factors, a 2-D .npy (samples × factors).")
    var sources: String?

    @Option(help: "Array mode: latents, a 2-D .npy (samples × latents).")
    var latents: String?

    @Flag(help: "Array mode: the latents are continuous (k-NN mutual information, standardised regression inputs).")
    var continuous = false

    @Option(name: .customLong("factor-names"), help: "Array mode: comma-separated names for the source columns.")
    var factorNames: String?

    @Flag(help: """
        Also report the chance level: the same figures for the latents with their rows shuffled \
        (seeded by --seed), which any code of this size scores without information. Compare \
        codebook sizes on both (see docs/training-log.md, findings 7 and 9).
        """)
    var chance = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    /// The flags as numbers, checked together. Here rather than in `validate()`, whose errors
    /// ArgumentParser prints with the usage text (three lines instead of one).
    func checkedFlags() throws -> (samples: Int, seed: UInt64) {
        if (sources == nil) != (latents == nil) {
            throw FlagError.badCombination("--sources and --latents go together; pass both .npy files")
        }
        if sources != nil && checkpoint != nil {
            throw FlagError.badCombination("pass either a checkpoint or --sources/--latents, not both")
        }
        if sources == nil && (continuous || factorNames != nil) {
            throw FlagError.badCombination("--continuous and --factor-names apply to --sources/--latents arrays only")
        }
        let sampleCount = try FlagValue.integer(samples, flag: "--samples", in: 2...Int.max,
                                                expected: "at least 2 (a whole number of images)")
        return (sampleCount, try FlagValue.seed(seed))
    }

    func run() throws {
        do {
            let (samples, seed) = try checkedFlags()
            let report = try sources != nil ? arrayReport(seed: seed) : checkpointReport(samples: samples, seed: seed)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                let environment = ProcessInfo.processInfo.environment
                let color = isatty(STDOUT_FILENO) == 1 && (environment["NO_COLOR"] ?? "").isEmpty
                // The first locale variable set decides, as setlocale would: shades need UTF-8.
                let locale = ["LC_ALL", "LC_CTYPE", "LANG"].compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
                let unicode = locale.lowercased().replacingOccurrences(of: "-", with: "").contains("utf8")
                print(report.text(color: color, unicode: unicode), terminator: "")
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("qlx: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    func arrayReport(seed: UInt64) throws -> MetricsReport {
        guard let sources, let latents else { preconditionFailure("checkedFlags() requires both") }
        let names = factorNames.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        return try ArrayMetrics.evaluate(sources: try Npy.read(path: sources), sourcesName: sources,
                                         latents: try Npy.read(path: latents), latentsName: latents,
                                         continuous: continuous, factorNames: names, seed: seed,
                                         chanceSeed: chance ? seed : nil)
    }

    func checkpointReport(samples: Int, seed: UInt64) throws -> MetricsReport {
        let path = try checkpoint ?? BundledModel.locate()
        let model = try loadCheckpoint(path, referenceRun).model()
        let data = try Datasets.named(dataset ?? model.config.dataset.name)
        let bar = MetricsProgressBar(label: "encoding \(samples) images of \(data.name)")
        defer { bar.finish() }
        return try ModelEvaluation.evaluate(model: model, dataset: data, samples: samples, seed: seed,
                                            chanceSeed: chance ? seed : nil) { bar.update($0) }
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class MetricsProgressBar {
    let label: String
    let enabled = isatty(STDERR_FILENO) == 1
    private var lastDrawn = -1

    init(label: String) { self.label = label }

    func update(_ fraction: Double) {
        guard enabled else { return }
        let percent = Int((min(max(fraction, 0), 1) * 100).rounded(.down))
        guard percent != lastDrawn else { return }
        lastDrawn = percent
        let width = 30
        let filled = percent * width / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let stage = fraction < 0.9 ? label : "computing InfoMEC"
        FileHandle.standardError.write(Data("\r\(bar) \(percent)%  \(stage)\u{1B}[K".utf8))
    }

    func finish() {
        guard enabled, lastDrawn >= 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

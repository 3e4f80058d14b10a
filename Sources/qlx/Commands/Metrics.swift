import ArgumentParser
import Foundation
import QLXData
import QLXMetrics
import QLXModel
import QLXRender

/// `qlx metrics`: InfoMEC, MIG, reconstruction and codebook usage of a checkpoint on its
/// dataset, or of plain .npy arrays of sources and latents.
struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure disentanglement (InfoM, InfoE, InfoC, MIG, DCI), reconstruction and codebook usage.",
        discussion: """
        With a checkpoint (default: the bundled model), encodes --samples images of its dataset \
        (seeded) and reports InfoMEC as defined by Hsu et al. 2023, MIG, DCI as disentanglement_lib \
        computes it (gradient-boosted trees, a seeded third of the samples held out), reconstruction \
        error and per-latent codebook usage, with the NMI matrix as a heatmap (rows factors, columns latents).

        With --sources S.npy --latents Z.npy, computes the same on arrays (rows are samples): \
        sources are label-encoded per column; latents are discrete codes unless --continuous.
        """)

    @OptionGroup var checkpoint: CheckpointArgument
    @OptionGroup var sample: ImageSampleOptions

    @Option(help: "Array mode: ground-truth factors, a 2-D .npy (samples × factors).")
    var sources: String?

    @Option(help: "Array mode: latents, a 2-D .npy (samples × latents).")
    var latents: String?

    @Flag(help: "Array mode: the latents are continuous (k-NN mutual information, standardised regression inputs).")
    var continuous = false


    @Flag(help: """
        Also report the chance level: the same figures for the latents with their rows shuffled \
        (seeded by --seed), which any code of this size scores without information. Compare \
        codebook sizes on both (see docs/training-log.md, findings 7 and 9).
        """)
    var chance = false

    @Flag(help: """
        Also print what each latent value means: how many samples take it and, per factor, the \
        most common factor value and its share (in --json as valueMeanings).
        """)
    var valuesTable = false

    @Flag(help: """
        Also measure interventions (checkpoints with codes): for --bases samples, set each latent \
        to each other value, decode, re-encode; print how often it holds and how often each other \
        latent changes (in --json as interventions).
        """)
    var interventions = false

    @Option(name: .customLong("bases"), parsing: .unconditional,
            help: "Base codes for --interventions: the first N samples' codes (default 200).")
    var bases: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    /// The flags as numbers, checked together. Here rather than in `validate()`, whose errors
    /// ArgumentParser prints with the usage text (three lines instead of one).
    func checkedFlags() throws -> (samples: Int, seed: UInt64) {
        if (sources == nil) != (latents == nil) {
            throw FlagError.badCombination("--sources and --latents go together; pass both .npy files")
        }
        if sources != nil && checkpoint.checkpoint != nil {
            throw FlagError.badCombination("pass either a checkpoint or --sources/--latents, not both")
        }
        if sources == nil && continuous {
            throw FlagError.badCombination("--continuous applies to --sources/--latents arrays only")
        }
        if sources != nil && interventions {
            throw FlagError.badCombination("--interventions decodes and re-encodes codes: it needs a checkpoint, not --sources/--latents")
        }
        if bases != nil && !interventions {
            throw FlagError.badCombination("--bases sets the base codes of --interventions; pass --interventions too")
        }
        return (try sample.samples.value(atLeast: 2), try sample.seed.value())
    }

    /// The base-code count of --interventions (at most --samples: the bases are samples' codes).
    func interventionBases(samples: Int) throws -> Int? {
        guard interventions else { return nil }
        guard let bases else { return min(200, samples) }
        return try FlagValue.integer(bases, flag: "--bases", in: 1...samples,
                                     expected: "an integer 1…\(samples) (the bases are the first samples' codes; see --samples)")
    }

    func run() throws {
        let (_, seed) = try checkedFlags()
        var report = try sources != nil ? arrayReport(seed: seed) : checkpointReport(seed: seed)
        if !valuesTable { report.valueMeanings = nil }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Streams.output(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
        } else {
            // The heatmap's colours are 256-colour backgrounds: fewer colours, plain shades.
            let terminal = Streams.standardOutput()
            let style: MetricsReport.HeatmapStyle? = terminal.colors >= .palette256 ? { ANSI.heatmapCell($0, value: $1) } : nil
            try Streams.output(report.text(unicode: terminal.unicode, style: style))
        }
    }

    func arrayReport(seed: UInt64) throws -> MetricsReport {
        guard let sources, let latents else { preconditionFailure("checkedFlags() requires both") }
        let names = sample.dataset.factorNameList
        return try ArrayMetrics.evaluate(sources: try Npy.read(path: sources), sourcesName: sources,
                                         latents: try Npy.read(path: latents), latentsName: latents,
                                         continuous: continuous, factorNames: names, seed: seed,
                                         chanceSeed: chance ? seed : nil)
    }

    func checkpointReport(seed: UInt64) throws -> MetricsReport {
        let path = try checkpoint.path()
        let model = try checkpoint.load(path).model()
        if interventions && !model.config.latent.quantized {
            throw FlagError.badCombination("--interventions sets codes: this checkpoint's latents are continuous (not quantized)")
        }
        return try sample.run(on: model, checkpoint: path, atLeast: 2) { data, samples, progress in
            let bases = try interventionBases(samples: samples)
            return try ModelEvaluation.evaluate(model: model, dataset: data, samples: samples, seed: seed,
                                                chanceSeed: chance ? seed : nil, interventionBases: bases, progress: progress.update,
                                                stage: progress.enter)
        }.1
    }
}

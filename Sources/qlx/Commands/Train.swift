import ArgumentParser
import Foundation
import QLXData
import QLXIO
import QLXModel
import QLXTraining

/// `qlx train`: trains a QLAE on a procedural dataset, with progress, periodic evaluation,
/// atomic checkpoints, signal handling (Ctrl-C, SIGTERM, a hang-up, SIGQUIT: save, then exit
/// 128 + the signal; see `StopSignals`) and exact resume.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a QLAE on a dataset and write a checkpoint.",
        discussion: """
        Architecture: --encoder/--decoder name a reference preset (\(ArchitecturePreset.encoderNames.joined(separator: ", ")) / \
        \(ArchitecturePreset.decoderNames.joined(separator: ", "))), or --encoder-widths/--decoder-widths give \
        kernel-4 stride-2 padding-1 blocks (default encoder \(Train.defaultEncoderWidths), \
        \(ModelBuilder.defaultDecoderKind.rawValue) decoder with the reverse widths, dense \(Train.defaultDenseWidths)).
        Batches are a pure function of (seed, step): --resume continues bit-identically. With --lr or \
        --weight-decay, --resume continues with the new value from the next step on (a schedule in \
        phases); --lr-drop gives a learning-rate schedule in one run (a lower rate for the last \
        ~1,000 steps sharpens reconstructions; see docs/training-log.md). Ctrl-C, SIGTERM, a hang-up \
        (a closed terminal) or SIGQUIT saves a checkpoint and exits 128 + the signal (130, 143, 129, 131).
        Weight decay defaults to the reference's 0.1, tuned for 200,000 steps. For runs of about \
        10,000 steps, --weight-decay 2 gives a similar total decay and far better disentanglement \
        (the bundled model: InfoM 0.82 against 0.47; see assets/README.md).
        """)

    static let defaultEncoderWidths = ModelBuilder.defaultEncoderWidths.map(String.init).joined(separator: ",")
    static let defaultDenseWidths = ModelBuilder.defaultDenseWidths.map(String.init).joined(separator: ",")

    @OptionGroup var dataset: DatasetOption
    @Option(help: "Encoder preset name.") var encoder: String?
    @Option(help: "Decoder preset name.") var decoder: String?
    @Option(help: "Encoder conv widths, e.g. 32,64,64,128 (kernel 4, stride 2, padding 1).") var encoderWidths: String?
    @Option(help: "Decoder transposed-conv widths (default: the encoder widths reversed).") var decoderWidths: String?
    @Option(help: "Dense widths of encoder and decoder for explicit widths (default \(Train.defaultDenseWidths)).") var denseWidths: String?
    @Option(help: "Decoder kind for explicit widths: \(Train.decoderKindChoices) (default \(ModelBuilder.defaultDecoderKind.rawValue)).") var decoderKind: String?
    @Option(parsing: .unconditional, help: "Number of latents (default: 2 × the dataset's factor count).", transform: FlagParse.integer) var latents: Int?
    @Option(parsing: .unconditional, help: "Codebook values per latent (default 10).", transform: FlagParse.integer) var values: Int?
    @Flag(help: "Train a plain autoencoder with continuous latents (the baseline).") var noQuantize = false

    @Option(parsing: .unconditional, help: "Total optimizer steps (default 10000).", transform: FlagParse.integer) var steps: Int?
    @Option(parsing: .unconditional, help: "Batch size (default 64).", transform: FlagParse.integer) var batch: Int?
    @Option(parsing: .unconditional, help: "Learning rate (default 1e-3; with --resume, the new rate from there on).", transform: FlagParse.number) var lr: Double?
    @Option(name: .customLong("lr-drop"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("From STEP steps done on, train at RATE: a step schedule in one run (repeat, or separate with commas; e.g. --lr-drop 9000:3e-4). With --resume, replaces the drops still ahead.", valueName: "step:rate"))
    var lrDrops: [String] = []
    @Option(parsing: .unconditional, help: "AdamW weight decay on weights (default 0.1; with --resume, the new value from there on).", transform: FlagParse.number) var weightDecay: Double?
    @Option(parsing: .unconditional, help: "Weight of the quantization loss (default 0.01).", transform: FlagParse.number) var quantizationWeight: Double?
    @Option(parsing: .unconditional, help: "Weight of the commitment loss (default 0.01).", transform: FlagParse.number) var commitmentWeight: Double?
    @OptionGroup var seed: SeedOption
    @Option(parsing: .unconditional, help: "Held-out images for evaluation, excluded from training (default 1000). Its InfoE reads higher than the final 10,000-sample figure: the regression behind InfoE is fit in-sample, and on 1,000 images its 40-class orientation fit has more parameters than images.", transform: FlagParse.integer) var evalSamples: Int?

    /// -o/--output: the checkpoint path (default qlae.safetensors, or the --resume path).
    @OptionGroup var output: OutputOption
    @Option(parsing: .unconditional, help: "Evaluate every N steps (0: only at the end).", transform: FlagParse.integer) var evalEvery: Int = 1000
    @Option(parsing: .unconditional, help: "Save a checkpoint every N steps (0: only at the end).", transform: FlagParse.integer) var checkpointEvery: Int = 1000
    @Option(parsing: .unconditional, help: "Also keep a copy every N steps as <output>-step<N>.safetensors (0: none), to compare checkpoints along the run.", transform: FlagParse.integer) var snapshotEvery: Int = 0
    @Option(parsing: .unconditional, help: "Images for the final disentanglement metrics (0: skip).", transform: FlagParse.integer) var metricsSamples: Int = 10_000
    @Option(help: "Continue training from a checkpoint written by qlx train.") var resume: String?
    @OptionGroup var force: ForceOption

    func run() throws {
        for (value, flag) in [(evalEvery, "--eval-every"), (checkpointEvery, "--checkpoint-every"), (snapshotEvery, "--snapshot-every"),
                              (metricsSamples, "--metrics-samples")]
        where value < 0 {
            throw FlagError.badValue(flag: flag, expected: "an integer ≥ 0", found: "\(value)")
        }
        let outputPath = output.path ?? resume ?? "qlae.safetensors"
        let outputKind = force.replacing(SafetensorsFile.fileKind)
        try checkWritable(outputPath, replacing: outputKind)
        let lock = try OutputLock(for: outputPath)
        defer { withExtendedLifetime(lock) {} }
        var trainer = try Self.namingFlags { try makeTrainer() }
        if metricsSamples > 0 {
            _ = try SamplesOption.check(String(metricsSamples), flag: "--metrics-samples", atLeast: 2, config: trainer.model.config)
        }

        let reporter = ProgressReporter(startingAt: trainer.stepsDone, interactive: Streams.standardErrorRedraws,
                                        write: Streams.writeStandardError)
        let model = trainer.model
        reporter.handle(.note("training \(model.config.encoder.preset)/\(model.config.decoder.preset) QLAE (\(model.parameterCount) parameters, \(model.config.latent.count) latents) on \(trainer.dataset.name): steps \(trainer.stepsDone + 1)...\(trainer.options.steps), batch \(trainer.options.batchSize), seed \(trainer.options.seed) → \(outputPath)"))

        StopSignals.install()
        let metricsSamples = self.metricsSamples
        var metricsSummary: String?
        let outcome = try trainer.run(
            schedule: TrainingSchedule(outputPath: outputPath, evaluateEvery: evalEvery, checkpointEvery: checkpointEvery,
                                       snapshotEvery: snapshotEvery, replacing: outputKind),
            shouldStop: { StopSignals.received != nil },
            finalMetadata: metricsSamples > 0 ? { trainer in
                try FinalMetrics.metadata(for: trainer, samples: metricsSamples, report: { line in
                    if line.hasPrefix("InfoM") { metricsSummary = line }
                    reporter.handle(.note(line))
                })
            } : nil,
            observe: reporter.handle)
        reporter.finish()
        switch outcome {
        case .stopped(let step):
            let signal = StopSignals.received ?? SIGINT
            Streams.note("stopped by signal \(signal) after step \(step); resume with: qlx train --resume \(outputPath)")
            throw ExitCode(StopSignals.exitStatus(for: signal))
        case .finished:
            try Streams.output("wrote \(outputPath) after \(trainer.stepsDone) steps\n")
            if let evaluation = trainer.lastEvaluation { try Streams.output(evaluation.summary + "\n") }
            if let metricsSummary { try Streams.output(metricsSummary + "\n") }
        }
    }

    private func makeTrainer() throws -> Trainer {
        if let resume {
            let fixed: [(Any?, String)] = [(encoder, "--encoder"), (decoder, "--decoder"),
                                           (encoderWidths, "--encoder-widths"), (decoderWidths, "--decoder-widths"),
                                           (denseWidths, "--dense-widths"), (decoderKind, "--decoder-kind"),
                                           (latents, "--latents"), (values, "--values"), (batch, "--batch"),
                                           (quantizationWeight, "--quantization-weight"),
                                           (commitmentWeight, "--commitment-weight"), (seed.text, "--seed"),
                                           (evalSamples, "--eval-samples")]
            if let flag = fixed.first(where: { $0.0 != nil })?.1 ?? (noQuantize ? "--no-quantize" : nil) {
                throw FlagError.conflict(flag: flag, other: "--resume",
                                                     reason: "the checkpoint's training state fixes it (only --steps, --lr, --lr-drop, --weight-decay, -o, --eval-every, --checkpoint-every, --snapshot-every and --metrics-samples may change)")
            }
            let checkpoint = try Checkpoint.read(from: resume)
            // A run on a dataset file needs the file again (--data); the trainer checks its name.
            let name = checkpoint.config.dataset.name
            if dataset.name == nil, !Datasets.names.contains(name) {
                throw FlagError.badValue(flag: "--data", expected: "the dataset file \(resume) was trained on (\(name))", found: "none given")
            }
            let data = try dataset.dataset(default: name)
            return try Trainer(resuming: checkpoint, path: resume, dataset: data, steps: steps,
                               learningRate: lr, weightDecay: weightDecay, learningRateDrops: try learningRateDrops())
        }
        let data = try dataset.dataset(default: "sprites")
        let options = TrainingOptions(steps: steps ?? 10_000, batchSize: batch ?? 64, learningRate: lr ?? 1e-3,
                                      weightDecay: weightDecay ?? 0.1, quantizationWeight: quantizationWeight ?? 0.01,
                                      commitmentWeight: commitmentWeight ?? 0.01, seed: try seed.value(),
                                      evaluationSamples: evalSamples ?? 1000, learningRateDrops: try learningRateDrops())
        let config = try ModelBuilder.config(encoder: try encoderConfig(), decoder: try decoderConfig(),
                                             latents: try positive(latents ?? 2 * data.factorNames.count, "--latents"),
                                             valuesPerLatent: try atLeast(2, values ?? 10, "--values"),
                                             quantized: !noQuantize, dataset: data)
        return try Trainer(config: config, dataset: data, options: options)
    }

    /// The flag that sets each training setting, for the library's errors.
    static let flags: [TrainingSetting: String] = [
        .steps: "--steps", .batchSize: "--batch", .learningRate: "--lr", .learningRateDrop: "--lr-drop",
        .weightDecay: "--weight-decay", .quantizationWeight: "--quantization-weight",
        .commitmentWeight: "--commitment-weight", .evaluationSamples: "--eval-samples",
    ]

    /// Runs `body`, turning QLXTraining's errors about a setting into errors about its flag.
    static func namingFlags<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let TrainingError.invalidSetting(setting, expected, found) {
            throw FlagError.badValue(flag: flags[setting] ?? setting.rawValue, expected: expected, found: found)
        }
    }

    /// "9000:3e-4,12000:1e-4" (possibly over several flags) → drops; nil without the flag.
    private func learningRateDrops() throws -> [LearningRateDrop]? {
        let items = lrDrops.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        guard !items.isEmpty else { return nil }
        return try items.map { item in
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let step = Int(parts[0]), let rate = Double(parts[1]) else {
                throw FlagError.badValue(flag: "--lr-drop", expected: "STEP:RATE, e.g. 9000:3e-4", found: "'\(item)'")
            }
            return LearningRateDrop(step: step, rate: rate)
        }
    }

    private func encoderConfig() throws -> EncoderConfig {
        if let encoder {
            if encoderWidths != nil { throw FlagError.conflict(flag: "--encoder-widths", other: "--encoder", reason: "give a preset or widths, not both") }
            guard let preset = ArchitecturePreset.encoder(named: encoder) else {
                throw FlagError.badValue(flag: "--encoder", expected: "one of \(ArchitecturePreset.encoderNames.joined(separator: ", "))", found: "'\(encoder)'")
            }
            return preset
        }
        return ModelBuilder.customEncoder(widths: try ModelBuilder.parseWidths(encoderWidths ?? Self.defaultEncoderWidths, flag: "--encoder-widths"),
                                          denseWidths: try dense())
    }

    private func decoderConfig() throws -> DecoderConfig {
        if let decoder {
            if decoderWidths != nil { throw FlagError.conflict(flag: "--decoder-widths", other: "--decoder", reason: "give a preset or widths, not both") }
            if decoderKind != nil { throw FlagError.conflict(flag: "--decoder-kind", other: "--decoder", reason: "the preset fixes the kind") }
            guard let preset = ArchitecturePreset.decoder(named: decoder) else {
                throw FlagError.badValue(flag: "--decoder", expected: "one of \(ArchitecturePreset.decoderNames.joined(separator: ", "))", found: "'\(decoder)'")
            }
            return preset
        }
        let kindName = decoderKind ?? ModelBuilder.defaultDecoderKind.rawValue
        guard let kind = DecoderKind(rawValue: kindName) else {
            throw FlagError.badValue(flag: "--decoder-kind", expected: Self.decoderKindChoices, found: "'\(kindName)'")
        }
        let widths: [Int]
        if let decoderWidths {
            widths = try ModelBuilder.parseWidths(decoderWidths, flag: "--decoder-widths")
        } else if let encoder {
            // A preset encoder alone brings its namesake decoder.
            guard decoderKind == nil, let preset = ArchitecturePreset.decoder(named: encoder) else {
                throw FlagError.conflict(flag: "--encoder", other: "a default decoder", reason: "give --decoder or --decoder-widths too")
            }
            return preset
        } else {
            widths = try ModelBuilder.parseWidths(encoderWidths ?? Self.defaultEncoderWidths, flag: "--encoder-widths").reversed()
        }
        return ModelBuilder.customDecoder(widths: widths, denseWidths: try dense(), kind: kind)
    }

    /// "image or style_image", from the kinds the model supports.
    static var decoderKindChoices: String {
        let names = DecoderKind.allCases.map(\.rawValue)
        return names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    private func dense() throws -> [Int] {
        try ModelBuilder.parseWidths(denseWidths ?? Self.defaultDenseWidths, flag: "--dense-widths")
    }

    private func positive(_ value: Int, _ flag: String) throws -> Int {
        try atLeast(1, value, flag)
    }

    private func atLeast(_ minimum: Int, _ value: Int, _ flag: String) throws -> Int {
        guard value >= minimum else {
            throw FlagError.badValue(flag: flag, expected: minimum == 1 ? "a positive integer" : "an integer ≥ \(minimum)", found: "\(value)")
        }
        return value
    }

    /// Fails before training starts if the checkpoint could not be written at the end (see
    /// `AtomicFile.checkTarget`: an existing, writable folder; no device node or folder there,
    /// nor a file other than a checkpoint without --force).
    private func checkWritable(_ path: String, replacing kind: AtomicFile.Kind?) throws {
        do { try AtomicFile.checkTarget(path, replacing: kind) } catch let error as FileWriteError {
            throw FlagError.badValue(flag: "--output", expected: "a path in an existing, writable folder", found: "\(quoted(path)): \(error.reason)")
        }
    }
}

import ArgumentParser
import Foundation
import QLXData
import QLXIO
import QLXMetrics
import QLXModel
import QLXReference
import QLXRender

// Options several commands take, each declared once. Numbers and names are read as text and
// converted by the command (see FlagValue), so a bad value is one line naming the flag.

/// The checkpoint argument of info, explore, traverse, metrics, encode, decode and convert,
/// with `--step` and `--config` for runs of the reference code.
struct CheckpointArgument: ParsableArguments {
    @Argument(help: "A .safetensors checkpoint, a reference run (Hydra job folder, wandb/ or a wandb run folder, files/, checkpoint/step=N/, model.eqx), or a bundled model by name: scenes, sprites (default: the bundled model, or $QLX_MODEL).")
    var checkpoint: String?

    @Option(help: "Reference runs: the checkpoint step (default: the newest step=N folder).")
    var step: Int?

    @Option(help: "Reference runs: the config.yaml (default: found beside the checkpoint or above it).")
    var config: String?

    /// The path given (or the bundled model it names), else the default bundled model's.
    func path() throws -> String { try BundledModel.resolve(checkpoint) }

    /// The checkpoint: a qlx file, or a reference run read as one.
    func load() throws -> Checkpoint { try load(path()) }

    /// Any checkpoint path with this argument's --step and --config (explore's second model).
    /// Choices made for the user (the newest of several wandb runs, a config further up) go
    /// to `note`, one line each: stderr unless the command shows them elsewhere.
    func load(_ path: String, note: (String) -> Void = Streams.note) throws -> Checkpoint {
        try CheckpointSource.open(path, step: step, config: config, note: note)
    }
}

/// `--seed`: every random choice a command makes (image samples, random codes, shuffles,
/// training batches) is drawn from it.
struct SeedOption: ParsableArguments {
    @Option(name: .customLong("seed"), parsing: .unconditional,
            help: ArgumentHelp("Seed of the command's random choices (default 0).", valueName: "seed"))
    var text: String?

    /// Whether the flag was given (`qlx train --resume` refuses it).
    var isGiven: Bool { text != nil }

    func value() throws -> UInt64 { try text.map { try FlagValue.seed($0) } ?? 0 }
}

/// `--dataset`/`--data`: which dataset to draw images from, a procedural one by name or a
/// dataset file by path.
struct DatasetOption: ParsableArguments {
    @Option(name: [.customLong("dataset"), .customLong("data")],
            help: ArgumentHelp("Dataset: \(Datasets.names.joined(separator: ", ")), or a dataset file (\(DatasetFile.layoutList)) (default: the checkpoint's; for train, sprites).",
                               valueName: "dataset"))
    var name: String?

    @Option(name: .customLong("data-classes"),
            help: ArgumentHelp("With an image .npy as --data: its factor classes, a .npy of N×K numbers (label-encoded per column).",
                               valueName: "file"))
    var classesPath: String?

    @Option(name: .customLong("factor-names"),
            help: ArgumentHelp("With --data, or metrics --sources: the factors' names, comma-separated (default: the format's own, else factor0, factor1, …).",
                               valueName: "a,b,c"))
    var factorNames: String?

    /// `--factor-names` split at commas.
    var factorNameList: [String]? {
        factorNames.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
    }

    /// The dataset named by the flag, else `defaultName`.
    func dataset(default defaultName: String) throws -> any FactorDataset {
        try Self.resolve(name ?? defaultName, classesPath: classesPath, factorNames: factorNameList)
    }

    /// The flag's dataset, if the flag was given.
    func givenDataset() throws -> (any FactorDataset)? { try name.map { try dataset(default: $0) } }

    /// Whether `dataset(for:checkpoint:)` has a dataset to open (it may still fail to open).
    func isAvailable(for config: QLAEConfig) -> Bool {
        name != nil || Datasets.names.contains(config.dataset.name) || !(Streams.environment["QLX_DATA"] ?? "").isEmpty
    }

    /// The dataset a model is run on, its images checked against the model's: the flag's; else
    /// the one it was trained on when qlx makes it (sprites, scenes); else the file
    /// `$QLX_DATA` names; else an error saying which dataset the model needs and how to give it.
    func dataset(for config: QLAEConfig, checkpoint: String) throws -> any FactorDataset {
        let trained = config.dataset.name
        let data: any FactorDataset
        if let name {
            data = try dataset(default: name)
        } else if Datasets.names.contains(trained) {
            data = try Self.resolve(trained)
        } else if let file = Streams.environment["QLX_DATA"], !file.isEmpty {
            data = try Self.resolve(file, classesPath: classesPath, factorNames: factorNameList)
        } else {
            throw FlagError.badCombination("\(checkpoint) was trained on \(quoted(trained)), which qlx reads from its dataset file: pass --data FILE or set $QLX_DATA")
        }
        try data.checkImages(fit: config.image)
        return data
    }

    /// A dataset by name or path, with a progress bar while a compressed file's members are
    /// decompressed into the cache (first use only).
    static func resolve(_ nameOrPath: String, classesPath: String? = nil, factorNames: [String]? = nil) throws -> any FactorDataset {
        let file = URL(fileURLWithPath: nameOrPath).lastPathComponent
        let bar = ProgressBar(label: "decompressing \(file) into the cache (first use only)", finalStage: nil)
        defer { bar.finish() }
        return try Datasets.resolve(nameOrPath, classesPath: classesPath, factorNames: factorNames) { done, total in
            bar.update(total > 0 ? Double(done) / Double(total) : 0)
        }
    }
}

/// `-o/--output`: the file a command writes (codes for encode, the checkpoint for train).
struct OutputOption: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Output file (see the command's description).", valueName: "output"))
    var path: String?
}

/// `--force`: every command that writes files replaces an existing file only when it is of
/// the kind the command writes (an .npy for an .npy output, a checkpoint for a checkpoint),
/// or empty; anything else (a checkpoint given as `-o` by mistake) needs this flag.
struct ForceOption: ParsableArguments {
    @Flag(name: .customLong("force"), help: "Replace output files of another kind (e.g. a checkpoint given as an .npy output by mistake).")
    var isGiven = false

    /// What an existing output must be to be replaced: `kind`, or anything with --force.
    func replacing(_ kind: AtomicFile.Kind) -> AtomicFile.Kind? { isGiven ? nil : kind }
}

/// Refuses two outputs of one command that name the same file (`-o s.npy --factors ./s.npy`):
/// the second would silently replace the first. `outputs` pairs each path with its flag.
func refuseSharedOutputs(_ outputs: [(path: String, flag: String)]) throws {
    var seen: [String: String] = [:]
    for (path, flag) in outputs {
        let key = AtomicFile.targetKey(of: path)
        if let other = seen[key] {
            throw FlagError.conflict(flag: flag, other: other, reason: "both name the file \(quoted(path)); each output needs its own file")
        }
        seen[key] = flag
    }
}

/// `--mode` and `--colors` of the commands that draw images (traverse, explore).
struct RenderFlags: ParsableArguments {
    @Option(name: .customLong("mode"),
            help: ArgumentHelp("Render mode: \(RenderMode.allCases.map(\.rawValue).joined(separator: ", ")) (default: half, or ascii without UTF-8).",
                               valueName: "mode"))
    var modeName: String?

    @Option(name: .customLong("colors"),
            help: ArgumentHelp("Colour depth: \(ColorDepth.allCases.map(\.rawValue).joined(separator: ", ")) (default: detected; none in pipes).",
                               valueName: "colors"))
    var colorsName: String?

    @Option(name: .customLong("graphics"),
            help: ArgumentHelp("Images in pixels: auto (ask the terminal), kitty, sixel, or cells (default: auto).",
                               valueName: "graphics"))
    var graphicsName: String?

    func mode() throws -> RenderMode? { try Self.choice(modeName, flag: "--mode", kind: "mode") }

    /// nil when the flag is not given (the explorer then reads its settings file; auto otherwise).
    func graphics() throws -> GraphicsChoice? { try Self.choice(graphicsName, flag: "--graphics", kind: "graphics") }

    func colors() throws -> ColorDepth? { try Self.choice(colorsName, flag: "--colors", kind: "colour depth") }

    /// The case named `name`, or an error listing the names.
    static func choice<Choice: CaseIterable & RawRepresentable>(_ name: String?, flag: String, kind: String) throws -> Choice?
    where Choice.RawValue == String {
        guard let name else { return nil }
        guard let choice = Choice(rawValue: name) else {
            throw FlagError.unknownName(flag: flag, kind: kind, found: name, choices: Choice.allCases.map(\.rawValue))
        }
        return choice
    }
}

/// `--samples`: how many dataset images a command encodes.
struct SamplesOption: ParsableArguments {
    @Option(name: .customLong("samples"), parsing: .unconditional,
            help: ArgumentHelp("Number of images to encode (default 10000, or every image of a smaller dataset).", valueName: "samples"))
    var text: String?

    /// Images encoded when `--samples` is not given (fewer when the dataset has fewer).
    static let defaultCount = 10_000

    /// The count given (else the default), at least `minimum` (the metrics need two images
    /// to compare) and, with the model's `config`, at most what its evaluation can hold in
    /// memory.
    func value(atLeast minimum: Int, config: QLAEConfig? = nil) throws -> Int {
        guard let text else { return Self.defaultCount }
        return try Self.check(text, flag: "--samples", atLeast: minimum, config: config)
    }

    /// The count for a dataset of `datasetCount` images: the default shrinks to the dataset's
    /// size (each image once); a larger count given is kept, and `note` says that draws repeat.
    func value(atLeast minimum: Int, config: QLAEConfig, dataset: any FactorDataset,
               note: (String) -> Void = Streams.note) throws -> Int {
        let count = try value(atLeast: minimum, config: config)
        guard text != nil else { return max(minimum, min(count, dataset.count)) }
        let repeats = repeatedDraws(count: count, of: dataset.count)
        if repeats > 0 {
            note("--samples \(count): \(quoted(dataset.name)) has \(dataset.count) images, so every image is drawn once and \(repeats) draws repeat one")
        }
        return count
    }

    /// A sample count given to `flag` (also `qlx train --metrics-samples`), checked as above.
    static func check(_ text: String, flag: String, atLeast minimum: Int, config: QLAEConfig?) throws -> Int {
        guard let config else {
            return try FlagValue.integer(text, flag: flag, in: minimum...Int.max,
                                         expected: "at least \(minimum) (a whole number of images)")
        }
        let maximum = ModelEvaluation.maximumSamples(for: config)
        return try FlagValue.integer(text, flag: flag, in: minimum...max(minimum, maximum),
                                     expected: "at least \(minimum) and \(ModelEvaluation.sampleLimitDescription(for: config))")
    }
}

/// The seeded sample of dataset images a model is run on (`qlx encode`, `qlx metrics`):
/// `--dataset`, `--samples`, `--seed`. A nil count means every image, in dataset order.
struct ImageSampleOptions: ParsableArguments {
    @OptionGroup var dataset: DatasetOption
    @OptionGroup var samples: SamplesOption
    @OptionGroup var seed: SeedOption

    /// Runs `work` on the model's dataset (`DatasetOption.dataset(for:checkpoint:)`) and the
    /// number of its images to encode (`every`: all of them; else `--samples` as
    /// `SamplesOption` reads it for that dataset), with a progress bar on stderr labelled with
    /// what is being encoded (`ProgressBar.enter` names later steps).
    func run<Result>(on model: QLAE, checkpoint: String, every: Bool = false, atLeast minimum: Int,
                     _ work: (any FactorDataset, Int, ProgressBar) throws -> Result) throws -> (any FactorDataset, Result) {
        // A count the model cannot hold fails before a file is opened (and decompressed).
        if !every { _ = try samples.value(atLeast: minimum, config: model.config) }
        let data = try dataset.dataset(for: model.config, checkpoint: checkpoint)
        let count = every ? data.count : try samples.value(atLeast: minimum, config: model.config, dataset: data)
        let bar = ProgressBar(label: "encoding \(count) images of \(data.name)")
        defer { bar.finish() }
        return (data, try work(data, count, bar))
    }
}

import ArgumentParser
import Foundation
import QLXData
import QLXIO
import QLXMetrics
import QLXModel

/// `qlx encode`: a seeded sample of dataset images, encoded, written as .npy arrays with their
/// ground-truth factors, for analysis in NumPy or `qlx metrics --sources --latents`.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode dataset images and export codes, values and factors as .npy files.",
        discussion: """
        Rows are samples, in the same order in every file: --output codes (int64, samples × latents, \
        codebook indices), --factors ground-truth factor value indices (int64, samples × factors), \
        --values quantized latent values (float32), --continuous encoder outputs before \
        quantization (float32), --indices the dataset image indices (int64). Load with numpy.load.
        """)

    @OptionGroup var checkpoint: CheckpointArgument
    @OptionGroup var sample: ImageSampleOptions

    /// -o/--output: codes .npy (int64, samples × latents; quantized models only).
    @OptionGroup var codes: OutputOption

    @Flag(help: "Encode every image of the dataset in its own (file) order instead of a seeded sample.")
    var all = false

    @Option(help: "Ground-truth factors .npy (int64, samples × factors).")
    var factors: String?

    @Option(help: "Quantized latent values .npy (float32, samples × latents).")
    var values: String?

    @Option(help: "Continuous encoder outputs .npy (float32, samples × latents).")
    var continuous: String?

    @Option(help: "Dataset image indices .npy (int64, samples).")
    var indices: String?

    @Flag(help: "Replace output files that are not .npy files (e.g. a checkpoint given as -o by mistake).")
    var force = false

    /// The flags, checked before anything is loaded.
    func checkFlags() throws {
        _ = try sample.samples.value(atLeast: 1)
        _ = try sample.seed.value()
        let outputs = [codes.path, factors, values, continuous, indices].compactMap { $0 }
        if outputs.isEmpty {
            throw FlagError.badCombination("nothing to write; pass -o codes.npy and/or --factors, --values, --continuous, --indices")
        }
        if Set(outputs).count != outputs.count {
            throw FlagError.badCombination("each output needs its own file; the same path was given twice")
        }
        for output in outputs { try Npy.checkOutput(output, replacing: outputKind) }
    }

    /// What an existing output must be to be replaced: an .npy file, unless --force.
    var outputKind: AtomicFile.Kind? { force ? nil : Npy.fileKind(hint: "pass --force to replace it") }

    func run() throws {
        try checkFlags()
        let path = try checkpoint.path()
        let model = try Checkpoint.read(from: path).model()
        if codes.path != nil && !model.config.latent.quantized {
            throw FlagError.badCombination("-o/--output: the model in \(path) is not quantized, so it has no codes; use --values or --continuous")
        }
        let count = all ? nil : try sample.samples.value(atLeast: 1, config: model.config), seed = try sample.seed.value()
        let (data, encoded) = try sample.run(on: model, samples: count) { data, progress in
            try ModelEvaluation.encode(model: model, dataset: data, samples: count ?? data.count, seed: seed,
                                       order: count == nil ? Array(0..<data.count) : nil, decode: false, progress: progress)
        }
        let n = count ?? data.count, latents = model.config.latent.count
        var written: [String] = []
        if let output = codes.path {
            try Npy.write(int64: encoded.codes.flatMap { $0.map(Int64.init) }, shape: [n, latents], to: output, replacing: outputKind)
            written.append("\(output) (codes \(n)×\(latents) int64)")
        }
        if let factors {
            let k = data.factorSizes.count
            try Npy.write(int64: encoded.factors.flatMap { $0.map(Int64.init) }, shape: [n, k], to: factors, replacing: outputKind)
            written.append("\(factors) (factors \(n)×\(k) int64: \(data.factorNames.joined(separator: ", ")))")
        }
        if let values {
            try Npy.write(float32: encoded.values.data, shape: [n, latents], to: values, replacing: outputKind)
            written.append("\(values) (values \(n)×\(latents) float32)")
        }
        if let continuous {
            try Npy.write(float32: encoded.continuous.data, shape: [n, latents], to: continuous, replacing: outputKind)
            written.append("\(continuous) (continuous \(n)×\(latents) float32)")
        }
        if let indices {
            try Npy.write(int64: encoded.indices.map(Int64.init), shape: [n], to: indices, replacing: outputKind)
            written.append("\(indices) (image indices \(n) int64)")
        }
        for line in written { print("wrote \(line)") }
    }
}

import ArgumentParser
import Foundation
import QLXCore
import QLXData
import QLXIO
import QLXMetrics
import QLXModel

/// `qlx encode`: a seeded sample of dataset images (or every image of a file, or images from a
/// .npy), encoded, written as .npy arrays with their ground-truth factors, for analysis in
/// NumPy or `qlx metrics --sources --latents`.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode dataset images and export codes, values and factors as .npy files.",
        discussion: """
        Rows are samples, in the same order in every file: --output codes (int64, samples × latents, \
        codebook indices), --factors ground-truth factor value indices (int64, samples × factors), \
        --values quantized latent values (float32), --continuous encoder outputs before \
        quantization (float32), --indices the dataset image indices (int64). Load with numpy.load. \
        With --images FILE.npy (float, samples × C × H × W in [0, 1]) encodes those images instead \
        of a dataset sample (--factors and --indices then do not apply).
        """)

    @OptionGroup var checkpoint: CheckpointArgument
    @OptionGroup var sample: ImageSampleOptions

    /// -o/--output: codes .npy (int64, samples × latents; quantized models only).
    @OptionGroup var codes: OutputOption

    @Flag(help: "Encode every image of the dataset in its own (file) order instead of a seeded sample.")
    var all = false

    @Option(help: "Images .npy to encode (float, samples × C × H × W in [0, 1]) instead of a dataset sample.")
    var images: String?

    @Option(help: "Ground-truth factors .npy (int64, samples × factors).")
    var factors: String?

    @Option(help: "Quantized latent values .npy (float32, samples × latents).")
    var values: String?

    @Option(help: "Continuous encoder outputs .npy (float32, samples × latents).")
    var continuous: String?

    @Option(help: "Dataset image indices .npy (int64, samples).")
    var indices: String?

    @OptionGroup var force: ForceOption

    /// The flags, checked before anything is loaded.
    func checkFlags() throws {
        _ = try sample.samples.value(atLeast: 1)
        _ = try sample.seed.value()
        let outputs = [(codes.path, "-o/--output"), (factors, "--factors"), (values, "--values"), (continuous, "--continuous"),
                       (indices, "--indices")].compactMap { path, flag in path.map { (path: $0, flag: flag) } }
        if outputs.isEmpty {
            throw FlagError.badCombination("nothing to write; pass -o codes.npy and/or --factors, --values, --continuous, --indices")
        }
        if images != nil && (factors != nil || indices != nil || all) {
            throw FlagError.badCombination("--images: --factors, --indices and --all describe dataset samples; they do not apply")
        }
        try refuseSharedOutputs(outputs)
        for output in outputs { try Npy.checkOutput(output.path, replacing: outputKind) }
    }

    /// What an existing output must be to be replaced: an .npy file, unless --force.
    var outputKind: AtomicFile.Kind? { force.replacing(Npy.fileKind()) }

    func run() throws {
        try checkFlags()
        let path = try checkpoint.path()
        let model = try checkpoint.load(path).model()
        if codes.path != nil && !model.config.latent.quantized {
            throw FlagError.badCombination("-o/--output: the model in \(path) is not quantized, so it has no codes; use --values or --continuous")
        }
        if let images { return try encode(images: images, model: model) }
        let seed = try sample.seed.value()
        let (data, encoded) = try sample.run(on: model, checkpoint: path, every: all, atLeast: 1) { data, count, progress in
            try ModelEvaluation.encode(model: model, dataset: data, samples: count, seed: seed,
                                       order: all ? Array(0..<data.count) : nil, decode: false, progress: progress.update)
        }
        let n = encoded.indices.count
        var written = try writeLatents(codes: encoded.codes.flatMap { $0.map(Int64.init) }, values: encoded.values.data,
                                       continuous: encoded.continuous.data, rows: n, latents: model.config.latent.count)
        if let factors {
            let k = data.factorSizes.count
            try Npy.write(int64: encoded.factors.flatMap { $0.map(Int64.init) }, shape: [n, k], to: factors, replacing: outputKind)
            written.append("\(factors) (factors \(n)×\(k) int64: \(data.factorNames.joined(separator: ", ")))")
        }
        if let indices {
            try Npy.write(int64: encoded.indices.map(Int64.init), shape: [n], to: indices, replacing: outputKind)
            written.append("\(indices) (image indices \(n) int64)")
        }
        for line in written { try Streams.output("wrote \(line)\n") }
    }

    /// --images: the given images, encoded in batches of 64.
    func encode(images path: String, model: QLAE) throws {
        let input = try Npy.read(path: path)
        let image = model.config.image
        let expected = [image.channels, image.height, image.width]
        guard input.shape.count == 4, Array(input.shape[1...]) == expected else {
            throw FlagError.badValue(flag: "--images", expected: "images of shape (samples, \(expected.map(String.init).joined(separator: ", "))) in \(path)",
                                     found: "\(input.shape)")
        }
        guard !input.isInteger else {
            throw FlagError.badValue(flag: "--images", expected: "float images in [0, 1] in \(path)", found: "dtype \(input.dtype)")
        }
        let n = input.shape[0], size = expected.reduce(1, *)
        let pixels = input.doubles
        if let bad = pixels.firstIndex(where: { !$0.isFinite }) {
            throw FlagError.badValue(flag: "--images", expected: "finite float images in [0, 1] in \(path)", found: "\(pixels[bad]) at element \(bad)")
        }
        var codeRows: [Int64] = [], quantized: [Float] = [], beforeQuantization: [Float] = []
        for start in stride(from: 0, to: n, by: 64) {
            let end = min(n, start + 64)
            let batch = Tensor(shape: [end - start] + expected, data: pixels[(start * size)..<(end * size)].map(Float.init))
            let encoding = model.encode(batch)
            codeRows += encoding.codes.flatMap { $0.map(Int64.init) }
            quantized += encoding.values.data
            beforeQuantization += encoding.continuous.data
        }
        let written = try writeLatents(codes: codeRows, values: quantized, continuous: beforeQuantization,
                                       rows: n, latents: model.config.latent.count)
        for line in written { try Streams.output("wrote \(line)\n") }
    }

    /// The latent outputs asked for (-o, --values, --continuous); returns what was written.
    private func writeLatents(codes codeRows: [Int64], values quantized: [Float], continuous beforeQuantization: [Float],
                              rows n: Int, latents: Int) throws -> [String] {
        var written: [String] = []
        if let output = codes.path {
            try Npy.write(int64: codeRows, shape: [n, latents], to: output, replacing: outputKind)
            written.append("\(output) (codes \(n)×\(latents) int64)")
        }
        if let values {
            try Npy.write(float32: quantized, shape: [n, latents], to: values, replacing: outputKind)
            written.append("\(values) (values \(n)×\(latents) float32)")
        }
        if let continuous {
            try Npy.write(float32: beforeQuantization, shape: [n, latents], to: continuous, replacing: outputKind)
            written.append("\(continuous) (continuous \(n)×\(latents) float32)")
        }
        return written
    }
}

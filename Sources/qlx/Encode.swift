import ArgumentParser
import Foundation
import QLXData
import QLXMetrics
import QLXCore
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
        quantization (float32), --indices the dataset image indices (int64). Load with numpy.load.         With --images FILE.npy (float, samples × C × H × W in [0, 1]) encodes those images instead         of a dataset sample (--factors and --indices then do not apply).
        """)

    @Argument(help: "A .safetensors checkpoint or a reference run (run folder, files/, step=N/, model.eqx); default: the bundled model.")
    var checkpoint: String?

    @OptionGroup var referenceRun: ReferenceRunOptions

    @Option(help: "Dataset to sample (default: the one named in the checkpoint).")
    var dataset: String?

    @Option(help: "Number of images to encode.")
    var samples = 10_000

    @Option(help: "Seed of the image sample.")
    var seed: UInt64 = 0

    @Option(name: [.short, .long], help: "Codes .npy (int64, samples × latents; quantized models only).")
    var output: String?

    @Option(help: "Ground-truth factors .npy (int64, samples × factors).")
    var factors: String?

    @Option(help: "Quantized latent values .npy (float32, samples × latents).")
    var values: String?

    @Option(help: "Continuous encoder outputs .npy (float32, samples × latents).")
    var continuous: String?

    @Option(help: "Dataset image indices .npy (int64, samples).")
    var indices: String?

    @Option(help: "Images .npy to encode (float, samples × C × H × W in [0, 1]) instead of a dataset sample.")
    var images: String?

    func validate() throws {
        if samples < 1 { throw ValidationError("--samples: expected at least 1, found \(samples)") }
        let outputs = [output, factors, values, continuous, indices].compactMap { $0 }
        if outputs.isEmpty {
            throw ValidationError("nothing to write; pass -o codes.npy and/or --factors, --values, --continuous, --indices")
        }
        if images != nil && (factors != nil || indices != nil) {
            throw ValidationError("--images: --factors and --indices describe dataset samples; they do not apply")
        }
        if Set(outputs).count != outputs.count {
            throw ValidationError("each output needs its own file; the same path was given twice")
        }
    }

    func run() throws {
        do {
            try encode()
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("qlx: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    func encode() throws {
        let path = try checkpoint ?? BundledModel.locate()
        let model = try loadCheckpoint(path, referenceRun).model()
        if output != nil && !model.config.latent.quantized {
            throw ValidationError("-o/--output: the model in \(path) is not quantized, so it has no codes; use --values or --continuous")
        }
        if let images { return try encode(images: images, model: model) }
        let data = try Datasets.named(dataset ?? model.config.dataset.name)
        let encoded: ModelEvaluation.EncodedSample
        do {
            let bar = MetricsProgressBar(label: "encoding \(samples) images of \(data.name)")
            defer { bar.finish() }
            encoded = try ModelEvaluation.encode(model: model, dataset: data, samples: samples, seed: seed,
                                                 decode: false) { bar.update($0) }
        }
        let n = samples, latents = model.config.latent.count
        var written: [String] = []
        if let output {
            try Npy.write(int64: encoded.codes.flatMap { $0.map(Int64.init) }, shape: [n, latents], to: output)
            written.append("\(output) (codes \(n)×\(latents) int64)")
        }
        if let factors {
            let k = data.factorSizes.count
            try Npy.write(int64: encoded.factors.flatMap { $0.map(Int64.init) }, shape: [n, k], to: factors)
            written.append("\(factors) (factors \(n)×\(k) int64: \(data.factorNames.joined(separator: ", ")))")
        }
        if let values {
            try Npy.write(float32: encoded.values.data, shape: [n, latents], to: values)
            written.append("\(values) (values \(n)×\(latents) float32)")
        }
        if let continuous {
            try Npy.write(float32: encoded.continuous.data, shape: [n, latents], to: continuous)
            written.append("\(continuous) (continuous \(n)×\(latents) float32)")
        }
        if let indices {
            try Npy.write(int64: encoded.indices.map(Int64.init), shape: [n], to: indices)
            written.append("\(indices) (image indices \(n) int64)")
        }
        for line in written { print("wrote \(line)") }
    }

    /// --images: the given images, encoded in batches of 64.
    func encode(images path: String, model: QLAE) throws {
        let input = try Npy.read(path: path)
        let image = model.config.image
        let expected = [image.channels, image.height, image.width]
        guard input.shape.count == 4, Array(input.shape[1...]) == expected else {
            throw ValidationError("\(path): expected images of shape (samples, \(expected.map(String.init).joined(separator: ", "))), found \(input.shape)")
        }
        guard !input.isInteger else { throw ValidationError("\(path): expected float images in [0, 1], found dtype \(input.dtype)") }
        let n = input.shape[0], latents = model.config.latent.count, size = expected.reduce(1, *)
        let pixels = input.doubles
        var codes: [Int64] = [], quantized: [Float] = [], latentsBefore: [Float] = []
        for start in stride(from: 0, to: n, by: 64) {
            let end = min(n, start + 64)
            let batch = Tensor(shape: [end - start] + expected, data: pixels[(start * size)..<(end * size)].map(Float.init))
            let encoding = model.encode(batch)
            codes += encoding.codes.flatMap { $0.map(Int64.init) }
            quantized += encoding.values.data
            latentsBefore += encoding.continuous.data
        }
        var written: [String] = []
        if let output {
            try Npy.write(int64: codes, shape: [n, latents], to: output)
            written.append("\(output) (codes \(n)×\(latents) int64)")
        }
        if let file = values {
            try Npy.write(float32: quantized, shape: [n, latents], to: file)
            written.append("\(file) (values \(n)×\(latents) float32)")
        }
        if let file = continuous {
            try Npy.write(float32: latentsBefore, shape: [n, latents], to: file)
            written.append("\(file) (continuous \(n)×\(latents) float32)")
        }
        for line in written { print("wrote \(line)") }
    }
}

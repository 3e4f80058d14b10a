import ArgumentParser
import Foundation
import QLXCore
import QLXData
import QLXIO
import QLXModel

/// `qlx decode`: latent codes (or, for continuous models, latent values) from a .npy file to
/// images, batched through the decoder.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode codes (or values) from a .npy file to images in a .npy file.",
        discussion: """
        --codes: integers, samples × latents, each a codebook index (quantized models). \
        --values: floats, samples × latents (any model; continuous ones need them). \
        Writes float32 images, samples × C × H × W, in [0, 1] (the sigmoid of the decoder's logits).
        """)

    @OptionGroup var checkpoint: CheckpointArgument

    @Option(help: "Codes .npy (integer, samples × latents).")
    var codes: String?

    @Option(help: "Latent values .npy (float, samples × latents).")
    var values: String?

    /// -o/--output: the images .npy to write (float32, samples × C × H × W).
    @OptionGroup var images: OutputOption
    @OptionGroup var force: ForceOption

    @Option(help: "Samples per decoder pass.")
    var batch = 64

    func run() throws {
        if (codes == nil) == (values == nil) { throw FlagError.badCombination("give --codes or --values (one of them)") }
        if batch < 1 { throw FlagError.badValue(flag: "--batch", expected: "at least 1", found: "\(batch)") }
        guard let output = images.path else { throw FlagError.badCombination("-o/--output: give the images .npy to write") }
        let outputKind = force.replacing(Npy.fileKind())
        try Npy.checkOutput(output, replacing: outputKind)
        let path = try checkpoint.path()
        let model = try checkpoint.load(path).model()
        let maximumBatch = SizeLimit.maximumCount(bytesEach: model.decodingBytesPerImage())
        guard batch <= maximumBatch else {
            throw FlagError.badValue(flag: "--batch", expected: "at most \(maximumBatch) (latent vectors whose decoder buffers fit in \(SizeLimit.memoryLimitDescription))",
                                     found: "\(batch)")
        }
        let config = model.config
        let latents = config.latent.count
        let input = try Npy.read(path: codes ?? values!)
        let name = codes ?? values!
        guard input.shape.count == 2, input.shape[1] == latents else {
            throw FlagError.badValue(flag: codes != nil ? "--codes" : "--values", expected: "shape (samples, \(latents)) in \(name)", found: "\(input.shape)")
        }
        let n = input.shape[0]
        var rows: [[Int]] = []
        if codes != nil {
            guard config.latent.quantized else {
                throw FlagError.badCombination("--codes: the model in \(path) has continuous latents; give --values")
            }
            guard input.isInteger else { throw FlagError.badValue(flag: "--codes", expected: "integer codes in \(name)", found: "dtype \(input.dtype)") }
            let nv = config.latent.valuesPerLatent
            let flat = input.doubles
            if let bad = flat.firstIndex(where: { $0 < 0 || $0 >= Double(nv) }) {
                throw FlagError.badValue(flag: "--codes", expected: "codes in 0…\(nv - 1) (\(name) row \(bad / latents), latent \(bad % latents))", found: "\(Int(flat[bad]))")
            }
            rows = input.rows { Int(flat[$0]) }
        } else if let bad = input.doubles.firstIndex(where: { !Float($0).isFinite }) {
            throw FlagError.badValue(flag: "--values", expected: "finite 32-bit numbers in \(name)",
                                     found: "\(input.doubles[bad]) at row \(bad / latents), latent \(bad % latents)")
        }
        let image = config.image
        // Each batch goes to the file as it is decoded: memory holds one batch, not every image.
        let size = image.channels * image.height * image.width
        let values = codes == nil ? input.doubles : []
        // A refusal found while writing is the user's, not the file's: kept aside, the write
        // is abandoned (its temporary file removed), and the refusal is what is reported.
        var refusal: FlagError?
        do {
            try Npy.write(float32Shape: [n, image.channels, image.height, image.width], to: output, replacing: outputKind) { append in
                for start in stride(from: 0, to: n, by: batch) {
                    let end = min(n, start + batch)
                    let decoded: Decoding
                    if codes != nil {
                        decoded = model.decode(codes: Array(rows[start..<end]))
                    } else {
                        let slice = values[(start * latents)..<(end * latents)].map(Float.init)
                        decoded = model.decode(values: Tensor(shape: [end - start, latents], data: slice))
                    }
                    // Values far outside the codebooks overflow inside the decoder: NaN pixels would
                    // be written as an image with exit 0 (the temporary file goes with the error).
                    if let bad = decoded.images.data.firstIndex(where: { !$0.isFinite }) {
                        let row = start + bad / size
                        let largest = input.doubles[(row * latents)..<((row + 1) * latents)].map(abs).max() ?? 0
                        refusal = .badValue(flag: "--values", expected: "values the decoder can turn into an image (near the codebook values)",
                                            found: "row \(row) of \(name), with magnitudes up to \(largest), decodes to NaN pixels")
                        throw refusal!
                    }
                    try append(decoded.images.data)
                }
            }
        } catch {
            throw refusal ?? error
        }
        try Streams.output("wrote \(output) (images \(n)×\(image.channels)×\(image.height)×\(image.width) float32)\n")
    }
}

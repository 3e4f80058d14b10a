import ArgumentParser
import Foundation
import QLXCore
import QLXData
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

    @Argument(help: "A .safetensors checkpoint or a reference run (run folder, files/, step=N/, model.eqx).")
    var checkpoint: String

    @OptionGroup var referenceRun: ReferenceRunOptions

    @Option(help: "Codes .npy (integer, samples × latents).")
    var codes: String?

    @Option(help: "Latent values .npy (float, samples × latents).")
    var values: String?

    @Option(name: [.short, .long], help: "Images .npy to write (float32, samples × C × H × W).")
    var output: String

    @Option(help: "Samples per decoder pass.")
    var batch = 64

    func validate() throws {
        if (codes == nil) == (values == nil) { throw ValidationError("give --codes or --values (one of them)") }
        if batch < 1 { throw ValidationError("--batch: expected at least 1, found \(batch)") }
    }

    func run() throws {
        let model = try loadCheckpoint(checkpoint, referenceRun).model()
        let config = model.config
        let latents = config.latent.count
        let input = try Npy.read(path: codes ?? values!)
        let name = codes ?? values!
        guard input.shape.count == 2, input.shape[1] == latents else {
            throw ValidationError("\(name): expected shape (samples, \(latents)), found \(input.shape)")
        }
        let n = input.shape[0]
        var rows: [[Int]] = []
        if codes != nil {
            guard config.latent.quantized else {
                throw ValidationError("--codes: the model in \(checkpoint) has continuous latents; give --values")
            }
            guard input.isInteger else { throw ValidationError("\(name): expected integer codes, found dtype \(input.dtype)") }
            let nv = config.latent.valuesPerLatent
            let flat = input.doubles
            if let bad = flat.firstIndex(where: { $0 < 0 || $0 >= Double(nv) }) {
                throw ValidationError("\(name): row \(bad / latents), latent \(bad % latents): expected a code in 0…\(nv - 1), found \(Int(flat[bad]))")
            }
            rows = input.rows { Int(flat[$0]) }
        }
        let image = config.image
        let size = image.channels * image.height * image.width
        var out = [Float]()
        out.reserveCapacity(n * size)
        for start in stride(from: 0, to: n, by: batch) {
            let end = min(n, start + batch)
            let decoded: Decoding
            if codes != nil {
                decoded = model.decode(codes: Array(rows[start..<end]))
            } else {
                let slice = input.doubles[(start * latents)..<(end * latents)].map(Float.init)
                decoded = model.decode(values: Tensor(shape: [end - start, latents], data: slice))
            }
            out += decoded.images.data
        }
        try Npy.write(float32: out, shape: [n, image.channels, image.height, image.width], to: output)
        print("wrote \(output) (images \(n)×\(image.channels)×\(image.height)×\(image.width) float32)")
    }
}

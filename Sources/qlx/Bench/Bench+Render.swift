import Dispatch
import Foundation
import QLXData
import QLXModel
import QLXRender
import QLXTraining

extension BenchSection {
    /// Drawing speed: one thumbnail-sized render, and the whole `qlx traverse` pipeline.
    static let render = BenchSection(name: "render", summary: "image → cells, and a full 10×10 traversal") {
        let sprite = SpritesDataset().images(at: [123_456])
        let image = RenderImage.batch(planar: sprite.data, shape: sprite.shape)[0]
        print("  one 64×64 sprite into 32×16 cells (median per render over 200 rounds of 50; target ≤ 50 µs):")
        for (label, options) in [("half blocks, 256 colours", RenderOptions(mode: .halfBlock, colors: .palette256)),
                                 ("half blocks, 24-bit", RenderOptions(mode: .halfBlock, colors: .trueColor)),
                                 ("half blocks, no colour", RenderOptions(mode: .halfBlock, colors: .none)),
                                 ("ASCII ramp", RenderOptions(mode: .ascii, colors: .none)),
                                 ("sextants, 256 colours", RenderOptions(mode: .sextant, colors: .palette256)),
                                 ("half blocks, 256 + dither", RenderOptions(mode: .halfBlock, colors: .palette256, dither: true))] {
            let seconds = RenderBench.medianPerCall(rounds: 200, callsPerRound: 50) {
                _ = Renderer.render(image, width: 32, height: 16, options: options)
            }
            print("    " + RenderBench.padded(label) + String(format: " %7.1f µs", seconds * 1e6))
        }
        let grid = Renderer.render(image, width: 32, height: 16, options: RenderOptions(mode: .halfBlock, colors: .palette256))
        let encodeSeconds = RenderBench.medianPerCall(rounds: 200, callsPerRound: 50) { _ = ANSI.encode(grid, colors: .palette256) }
        print("    " + RenderBench.padded("ANSI encode of that grid") + String(format: " %7.1f µs  (%d bytes)", encodeSeconds * 1e6,
                     ANSI.encode(grid, colors: .palette256).utf8.count))

        let (model, source) = RenderBench.traversalModel()
        let nz = model.config.latent.count, nv = model.config.latent.valuesPerLatent
        print("  full traversal, \(nz) latents × \(nv) values, decode + render + ANSI (median of 15; target ≤ 100 ms):")
        print("    model: \(source)")
        var bytes = 0
        let options = RenderOptions(mode: .halfBlock, colors: .palette256)
        var decodeOnly: [Double] = [], total: [Double] = []
        for run in 0..<17 {
            let start = DispatchTime.now().uptimeNanoseconds
            let traversal = try Traversal.make(model: model, start: .zeros, latents: Array(0..<nz), seed: 0)
            let decoded = DispatchTime.now().uptimeNanoseconds
            let rows = traversal.images.enumerated().map { j, images in
                MosaicRow(labelLines: ["z\(j)"], columnLabels: traversal.values[j].map { String(format: "%.2f", $0) }, images: images)
            }
            let text = ANSI.encode(Mosaic.cells(rows: rows, thumbnailWidth: 10, options: options), colors: .palette256)
            let end = DispatchTime.now().uptimeNanoseconds
            bytes = text.utf8.count
            if run >= 2 {   // warm-up
                decodeOnly.append(Double(decoded - start) / 1e9)
                total.append(Double(end - start) / 1e9)
            }
        }
        print(String(format: "    decode (one batch of %d):   %7.1f ms", nz * nv, RenderBench.median(decodeOnly) * 1e3))
        print(String(format: "    total, cell width 10:        %7.1f ms  (%d bytes of 256-colour text)", RenderBench.median(total) * 1e3, bytes))
    }
}

enum RenderBench {
    static func padded(_ label: String, to width: Int = 26) -> String {
        label + String(repeating: " ", count: max(0, width - label.count))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    /// Median over `rounds` of the mean time per call within a round (a round is long enough
    /// for the clock, the median shrugs off rounds disturbed by other processes).
    static func medianPerCall(rounds: Int, callsPerRound: Int, _ body: () -> Void) -> Double {
        for _ in 0..<callsPerRound { body() }   // warm-up
        var perCall: [Double] = []
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<callsPerRound { body() }
            perCall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(callsPerRound))
        }
        return median(perCall)
    }

    /// The bundled model if it is there, otherwise a random-init model of its architecture:
    /// encoder 32,64,64,128 (kernel 4, stride 2) + dense 256 (`qlx train`'s default), image decoder mirrored.
    static func traversalModel() -> (QLAE, String) {
        if let path = try? BundledModel.locate(), let model = try? Checkpoint.read(from: path).model() {
            return (model, "bundled \(path)")
        }
        let dataset = SpritesDataset()
        let config = QLAEConfig(
            encoder: ModelBuilder.customEncoder(widths: [32, 64, 64, 128], denseWidths: [256]),
            decoder: ModelBuilder.customDecoder(widths: [128, 64, 64, 32], denseWidths: [256], kind: .image),
            latent: LatentConfig(count: 10, valuesPerLatent: 10),
            image: dataset.imageShape, dataset: dataset.info)
        return (QLAE(config: config, seed: 7), "random init (bundled model not found): encoder 32,64,64,128 + dense 256, image decoder 128,64,64,32")
    }
}

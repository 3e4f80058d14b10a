import Foundation
import QLXCore
import QLXModel

extension BenchSection {
    /// Matrix-product speed (the decoders' latency is the `architectures` section).
    static let core = BenchSection(name: "core", summary: "sgemm GFLOPS") {
        let peak = CoreBench.sgemmGFLOPS(size: 2048)
        print(String(format: "  sgemm 2048×2048×2048:  %7.1f GFLOPS  (%d BLAS threads, %@)", peak, Gemm.threadCount, BLASKernels.describe()))

        print("  decode latency of the reference decoders: `qlx bench --only architectures`")
    }
}

enum CoreBench {
    static func sgemmGFLOPS(size n: Int) -> Double {
        var rng = SeededGenerator(seed: 1)
        let a = (0..<(n * n)).map { _ in rng.nextUnitFloat() }
        let b = (0..<(n * n)).map { _ in rng.nextUnitFloat() }
        var c = [Float](repeating: 0, count: n * n)
        let seconds = median(runs: 5, warmUp: 1) {
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                Gemm.multiply(pa.baseAddress!, pb.baseAddress!, into: pc.baseAddress!, m: n, n: n, k: n)
            } } }
        }
        return 2 * Double(n * n * n) / seconds / 1e9
    }

    /// Median wall time in seconds of `runs` calls after `warmUp` untimed ones.
    static func median(runs: Int, warmUp: Int, _ body: () -> Void) -> Double {
        for _ in 0..<warmUp { body() }
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[runs / 2]
    }

    /// The reference's encoder/decoder pairs the decode benchmarks time, the paper's first.
    static let referenceDecoders = [("image + style_image (paper)", "image", "style_image"),
                                    ("image_small + image_small", "image_small", "image_small"),
                                    ("image_small + style_image_small", "image_small", "style_image_small"),
                                    ("image + image", "image", "image")]

    /// The batch sizes the architectures section times.
    static let architectureBatches = [1, 10, 100]

    static let dataset = DatasetInfo(name: "sprites", factorNames: ["shape", "scale", "orientation", "posX", "posY"],
                                     factorSizes: [3, 6, 40, 32, 32])

    static func config(encoder: String, decoder: String) -> QLAEConfig {
        QLAEConfig(encoder: ArchitecturePreset.encoder(named: encoder)!, decoder: ArchitecturePreset.decoder(named: decoder)!,
                   latent: LatentConfig(count: 10, valuesPerLatent: 10),
                   image: ImageShape(channels: 1, height: 64, width: 64), dataset: dataset)
    }

    /// image_small-shaped encoder/decoder pairs (kernel 4, stride 2, padding 1) with smaller widths.
    static func smallConfig(widths: [Int], dense: Int, decoder kind: DecoderKind) -> QLAEConfig {
        let n = widths.count
        let stack = { (w: [Int]) in ConvStackConfig(widths: w, kernelSizes: Array(repeating: 4, count: n),
                                                    strides: Array(repeating: 2, count: n), paddings: Array(repeating: 1, count: n)) }
        let decoder = kind.custom(denseWidths: [dense], blocks: stack(widths.reversed()))
        return QLAEConfig(encoder: EncoderConfig(preset: "custom", conv: stack(widths), denseWidths: [dense]),
                          decoder: decoder, latent: LatentConfig(count: 10, valuesPerLatent: 10),
                          image: ImageShape(channels: 1, height: 64, width: 64), dataset: dataset)
    }

    static var trainingCandidates: [(String, QLAEConfig)] {
        var out: [(String, QLAEConfig)] = []
        for (widths, dense) in [([32, 64, 64, 128], 512), ([32, 32, 64, 64], 256), ([32, 64, 128, 256], 512)] {
            for kind in [DecoderKind.image, .styleImage] {
                let label = "enc \(widths.map(String.init).joined(separator: ",")) dense \(dense) + \(kind.rawValue) dec"
                out.append((label, smallConfig(widths: widths, dense: dense, decoder: kind)))
            }
        }
        return out
    }
}

import QLXCore
import QLXModel

extension BenchSection {
    /// Where a batch-1 decode's time goes, layer by layer, for the reference decoders: each
    /// transposed convolution in its col2im form (sgemm into k²-times-larger columns, then a
    /// fold), in its stride-phase form through OpenBLAS (both as training runs them), and in the
    /// stride-phase form with weights packed beforehand, marking the one decoding takes
    /// (`prefersPackedPhases`), then the block's element-wise passes as separate
    /// passes (what training runs) and fused (what decoding runs). Random weights; 4×4 input maps.
    static let layers = BenchSection(name: "layers", summary: "batch-1 decode time per layer of the reference decoders") {
        print("  median of 25 calls after 3 warm-up calls, ms; convT k/s: kernel and stride; phases: through OpenBLAS;")
        print("  packed: weights packed once; * the form decoding takes; norm: the block's instance norm, affine or")
        print("  modulation, and activation, separate and fused.")
        for (label, encoder, decoder) in CoreBench.referenceDecoders {
            let config = CoreBench.config(encoder: encoder, decoder: decoder)
            let stack = config.decoder.convTranspose
            let style = config.decoder.kind == .styleImage
            print("  \(label)\(style ? " (block 0 sees only the constant input map and is cached)" : "")")
            print("    block  Cin→Cout   k/s   map       col2im    phases    packed      norm   fused")
            var channels = style ? config.decoder.inputChannels! : config.encoder.conv.widths.last!
            var side = 4
            var totals = (folded: 0.0, phased: 0.0, packed: 0.0, chosen: 0.0, norm: 0.0, fused: 0.0)
            var rng = SeededGenerator(seed: 5)
            for i in stack.widths.indices {
                let convT = ConvTranspose2d(inChannels: channels, outChannels: stack.widths[i], kernel: stack.kernelSizes[i],
                                            stride: stack.strides[i], padding: stack.paddings[i])
                let input = FeatureMap(channels: channels, batch: 1, height: side, width: side,
                                       data: (0..<(channels * side * side)).map { _ in rng.nextUnitFloat() - 0.5 })
                let weight = Tensor(shape: convT.weightShape, data: (0..<convT.weightShape.reduce(1, *)).map { _ in rng.nextUnitFloat() - 0.5 })
                let phased = convT.phasedWeights(weight)
                let packed = convT.phasedWeights(weight, packed: true)
                let norm = InstanceNorm(channels: convT.outChannels)
                let output = convT.forward(input, phased: phased)
                let modulation = Tensor(shape: [1, 2 * convT.outChannels],
                                        data: (0..<(2 * convT.outChannels)).map { _ in rng.nextUnitFloat() })
                let (gamma, beta) = (Tensor(shape: [convT.outChannels], data: Array(repeating: 1, count: convT.outChannels)),
                                     Tensor(shape: [convT.outChannels], data: Array(repeating: 0, count: convT.outChannels)))
                let folded = CoreBench.median(runs: 25, warmUp: 3) { _ = convT.forwardFolded(input, weight: weight) }
                let phases = CoreBench.median(runs: 25, warmUp: 3) { _ = convT.forward(input, phased: phased) }
                let packedTime = CoreBench.median(runs: 25, warmUp: 3) { _ = convT.forward(input, phased: packed) }
                let elementwise = CoreBench.median(runs: 25, warmUp: 3) {
                    if style {
                        var y = output
                        Activation.leakyReLU(&y.data)
                        _ = norm.affine(norm.normalize(y).normalized, weight: gamma, bias: beta)
                    } else {
                        _ = norm.affineLeakyReLU(norm.normalize(output).normalized, weight: gamma, bias: beta)
                    }
                }
                let fused = CoreBench.median(runs: 25, warmUp: 3) {
                    if style {
                        _ = norm.leakyReLUNormalizeModulate(output, scaleAndBias: modulation)
                    } else {
                        _ = norm.normalizeAffineLeakyReLU(output, weight: gamma, bias: beta)
                    }
                }
                let (ho, _) = convT.outputSize(height: side, width: side)
                let cached = style && i == 0
                let packedChosen = convT.prefersPackedPhases
                let trainingForm = convT.prefersPhases(height: side, width: side) ? phases : folded
                print(String(format: "    %5d  %4d→%-4d  %d/%d  %3d→%-3d %8.3f%@ %8.3f%@ %8.3f%@ %8.3f %7.3f%@", i, channels, convT.outChannels,
                             convT.kernel, convT.stride, side, ho, folded * 1e3, packedChosen ? " " : "*", phases * 1e3, " ",
                             packedTime * 1e3, packedChosen ? "*" : " ", elementwise * 1e3, fused * 1e3, cached ? "  (cached)" : ""))
                if !cached {
                    totals = (totals.folded + folded, totals.phased + phases, totals.packed + packedTime,
                              totals.chosen + (packedChosen ? packedTime : trainingForm), totals.norm + elementwise, totals.fused + fused)
                }
                channels = convT.outChannels
                side = ho
            }
            let out = Conv2d(inChannels: channels, outChannels: config.image.channels, kernel: style ? 3 : 1, padding: style ? 1 : 0)
            let x = FeatureMap(channels: channels, batch: 1, height: side, width: side,
                               data: (0..<(channels * side * side)).map { _ in rng.nextUnitFloat() - 0.5 })
            let w = Tensor(shape: out.weightShape, data: (0..<out.weightShape.reduce(1, *)).map { _ in rng.nextUnitFloat() - 0.5 })
            let outTime = CoreBench.median(runs: 25, warmUp: 3) { _ = out.forward(x, weight: w) }
            print(String(format: "    output conv %d×%d to %d channel(s): %.3f ms; sum without cached blocks: col2im %.2f, phases %.2f, packed %.2f, as decoding takes them %.2f; norm %.2f, fused %.2f ms",
                         out.kernel, out.kernel, out.outChannels, outTime * 1e3, totals.folded * 1e3, totals.phased * 1e3,
                         totals.packed * 1e3, totals.chosen * 1e3, totals.norm * 1e3, totals.fused * 1e3))
        }
    }
}

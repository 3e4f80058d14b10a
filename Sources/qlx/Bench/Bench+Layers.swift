import QLXCore
import QLXModel

extension BenchSection {
    /// Where a decode's time goes, layer by layer, for the reference decoders: each transposed
    /// convolution in its col2im form (sgemm into k²-times-larger columns, then a fold), in its
    /// stride-phase form through OpenBLAS (both as training runs them), in the stride-phase form
    /// with weights packed beforehand and in Winograd's form (F(2×2, 3×3), or F(2×2, 2×2) per
    /// phase), marking the one decoding takes (`ConvTranspose2d.decodingForm`), then the block's
    /// element-wise passes as separate passes (what training runs) and fused (what decoding
    /// runs). Random weights; 4×4 input maps.
    /// `--batch` and `--decoder` pick the batch (1 unless given) and decoders as for `architectures`.
    static let layers = BenchSection(name: "layers", summary: "decode time per layer of the reference decoders (batch 1 unless --batch)") {
        print("  median of 25 calls after 3 warm-up calls, ms; convT k/s: kernel and stride; phases: through OpenBLAS;")
        print("  packed: weights packed once; winograd: F(2×2, 3×3), or F(2×2, 2×2) per stride phase, packed;")
        print("  * the form decoding takes; norm: the block's instance norm, affine or modulation, and activation,")
        print("  separate and fused.")
        let decoders = CoreBench.referenceDecoders.filter { BenchInputs.decoders.isEmpty || BenchInputs.decoders.contains($0.0) }
        for batch in BenchInputs.batches.isEmpty ? [1] : BenchInputs.batches {
            for (label, encoder, decoder) in decoders { layerTable(label: label, encoder: encoder, decoder: decoder, batch: batch) }
        }
    }

    /// One decoder's table for `layers` at `batch`.
    private static func layerTable(label: String, encoder: String, decoder: String, batch: Int) {
        let config = CoreBench.config(encoder: encoder, decoder: decoder)
        let stack = config.decoder.convTranspose
        guard let layout = config.decoder.kind.blockLayout(config) else { return }
        print("  \(label) at batch \(batch)\(layout.firstBlockCached ? " (block 0 sees only the constant input map and is cached)" : "")")
        print("    block  Cin→Cout   k/s   map       col2im    phases    packed  winograd      norm   fused")
        var channels = layout.inputChannels
        var side = 4
        var totals = (folded: 0.0, phased: 0.0, packed: 0.0, chosen: 0.0, norm: 0.0, fused: 0.0)
        var rng = SeededGenerator(seed: 5)
        for i in stack.widths.indices {
            let convT = ConvTranspose2d(inChannels: channels, outChannels: stack.widths[i], kernel: stack.kernelSizes[i],
                                        stride: stack.strides[i], padding: stack.paddings[i])
            let input = FeatureMap(channels: channels, batch: batch, height: side, width: side,
                                   data: (0..<(channels * batch * side * side)).map { _ in rng.nextUnitFloat() - 0.5 })
            let weight = Tensor(shape: convT.weightShape, data: (0..<convT.weightShape.reduce(1, *)).map { _ in rng.nextUnitFloat() - 0.5 })
            let phased = convT.phasedWeights(weight)
            let packed = convT.phasedWeights(weight, packed: true)
            let norm = InstanceNorm(channels: convT.outChannels)
            let output = convT.forward(input, phased: phased)
            let modulation = Tensor(shape: [batch, 2 * convT.outChannels],
                                    data: (0..<(2 * batch * convT.outChannels)).map { _ in rng.nextUnitFloat() })
            let (gamma, beta) = (Tensor(shape: [convT.outChannels], data: Array(repeating: 1, count: convT.outChannels)),
                                 Tensor(shape: [convT.outChannels], data: Array(repeating: 0, count: convT.outChannels)))
            let folded = CoreBench.median(runs: 25, warmUp: 3) { _ = convT.forwardFolded(input, weight: weight) }
            let phases = CoreBench.median(runs: 25, warmUp: 3) { _ = convT.forward(input, phased: phased) }
            let packedTime = CoreBench.median(runs: 25, warmUp: 3) { _ = convT.forward(input, phased: packed) }
            let winogradWeights = convT.hasWinograd(height: side, width: side) ? convT.winogradWeights(weight, packed: true) : nil
            let winogradTime = winogradWeights.map { winograd in
                CoreBench.median(runs: 25, warmUp: 3) { _ = convT.forward(input, winograd: winograd) }
            }
            let elementwise = CoreBench.median(runs: 25, warmUp: 3) {
                if layout.modulated {
                    var y = output
                    Activation.leakyReLU(&y.data)
                    _ = norm.affine(norm.normalize(y).normalized, weight: gamma, bias: beta)
                } else {
                    _ = norm.affineLeakyReLU(norm.normalize(output).normalized, weight: gamma, bias: beta)
                }
            }
            let fused = CoreBench.median(runs: 25, warmUp: 3) {
                if layout.modulated {
                    _ = norm.leakyReLUNormalizeModulate(output, scaleAndBias: modulation)
                } else {
                    _ = norm.normalizeAffineLeakyReLU(output, weight: gamma, bias: beta)
                }
            }
            let (ho, _) = convT.outputSize(height: side, width: side)
            let cached = layout.firstBlockCached && i == 0
            let form = convT.decodingForm(height: side, width: side, batch: batch)
            let (winogradChosen, packedChosen, foldedChosen) = (form == .winograd, form == .packedPhases, form == .training)
            let trainingForm = convT.prefersPhases(height: side, width: side) ? phases : folded
            let chosen = winogradChosen ? winogradTime! : packedChosen ? packedTime : trainingForm
            let winogradColumn = winogradTime.map { String(format: "%8.3f", $0 * 1e3) } ?? "       -"
            print(String(format: "    %5d  %4d→%-4d  %d/%d  %3d→%-3d %8.3f%@ %8.3f%@ %8.3f%@ %@%@ %8.3f %7.3f%@", i, channels, convT.outChannels,
                         convT.kernel, convT.stride, side, ho, folded * 1e3, foldedChosen ? "*" : " ", phases * 1e3, " ",
                         packedTime * 1e3, packedChosen ? "*" : " ", winogradColumn, winogradChosen ? "*" : " ",
                         elementwise * 1e3, fused * 1e3, cached ? "  (cached)" : ""))
            if !cached {
                totals = (totals.folded + folded, totals.phased + phases, totals.packed + packedTime,
                          totals.chosen + chosen, totals.norm + elementwise, totals.fused + fused)
            }
            channels = convT.outChannels
            side = ho
        }
        let out = Conv2d(inChannels: channels, outChannels: config.image.channels, kernel: layout.outputKernel,
                         padding: layout.outputKernel / 2)
        let x = FeatureMap(channels: channels, batch: batch, height: side, width: side,
                           data: (0..<(channels * batch * side * side)).map { _ in rng.nextUnitFloat() - 0.5 })
        let w = Tensor(shape: out.weightShape, data: (0..<out.weightShape.reduce(1, *)).map { _ in rng.nextUnitFloat() - 0.5 })
        let outTime = CoreBench.median(runs: 25, warmUp: 3) { _ = out.forward(x, weight: w) }
        print(String(format: "    output conv %d×%d to %d channel(s): %.3f ms; sum without cached blocks: col2im %.2f, phases %.2f, packed %.2f, as decoding takes them %.2f; norm %.2f, fused %.2f ms",
                     out.kernel, out.kernel, out.outChannels, outTime * 1e3, totals.folded * 1e3, totals.phased * 1e3,
                     totals.packed * 1e3, totals.chosen * 1e3, totals.norm * 1e3, totals.fused * 1e3))
    }
}

import QLXCore

/// The reference's DenseDecoder, a `Sequential`: dense blocks (linear → layer norm with
/// affine → ReLU), a linear head to C·H·W logits, reshaped to the image.
struct DenseDecoder: DecoderNetwork {
    let dense: DenseStack
    let head: LinearModule
    let image: ImageShape

    static let referenceClassName = "DenseDecoder"

    static func custom(denseWidths: [Int], blocks: ConvStackConfig) -> DecoderConfig {
        DecoderConfig(kind: .dense, preset: "custom", denseWidths: denseWidths, convTranspose: .empty)
    }

    static func summary(_ config: DecoderConfig, image: ImageShape) -> [String] {
        denseSummary(config, note: " (layer norm)") + ["linear to \(image.channels)×\(image.height)×\(image.width)"]
    }

    static func blockLayout(_ config: QLAEConfig) -> DecoderBlockLayout? { nil }

    init(config d: DecoderConfig, latentCount: Int, image: ImageShape, encoderMap: MapShape, at path: ModulePath,
         _ tree: inout ModuleTreeBuilder) throws {
        guard d.convTranspose.widths.isEmpty, d.inputChannels == nil else {
            throw ModelError.invalidConfig(path: nil, reason: "a dense decoder has no conv-transpose blocks or input map, found \(d.convTranspose.widths.count) blocks")
        }
        self.image = image
        dense = DenseStack(inFeatures: latentCount, widths: d.denseWidths, layerNorm: true,
                           at: path.child("dense", ".layers[0]"), &tree)
        head = LinearModule(inFeatures: dense.outFeatures, outFeatures: image.channels * image.height * image.width,
                            at: path.child("head", ".layers[1]"), &tree)
    }

    func forward(_ z: Tensor, _ p: ParameterSet, constants: DecoderConstants?, tape: inout DecoderTape?) -> FeatureMap {
        let h = dense.forward(z, p, tape: &tape)
        if tape != nil { tape!.transitionInput = h }
        let logits = head.forward(h, p)   // (N, C·H·W), each row an image in C, H, W order
        let n = z.shape[0], plane = image.height * image.width
        return FeatureMap(channels: image.channels, batch: n, height: image.height, width: image.width,
                          data: Layout.swapLeadingAxes(logits.data, first: n, second: image.channels, inner: plane))
    }

    func backward(_ dLogits: FeatureMap, tape: DecoderTape, _ p: ParameterSet, gradients: inout [String: Tensor]) -> Tensor {
        let n = dLogits.batch
        let dRows = Tensor(shape: [n, dLogits.channels * dLogits.planeSize],
                           data: Layout.swapLeadingAxes(dLogits.data, first: dLogits.channels, second: n, inner: dLogits.planeSize))
        let dh = head.backward(input: tape.transitionInput!, dOutput: dRows, p, gradients: &gradients)!
        return dense.backward(dh, tape: tape.dense!, p, gradients: &gradients)!
    }

    var multiplyAddsPerImage: Int { dense.multiplyAdds + head.layer.inFeatures * head.layer.outFeatures }

    var trainingFloatsPerImage: Double { 2 * dense.outputFloats + Double(head.layer.outFeatures) }
}

import QLXCore

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Weights of the auxiliary terms in the QLAE loss.
public struct LossWeights: Sendable, Equatable, Codable {
    public var quantization: Float
    public var commitment: Float
    public init(quantization: Float = 0.01, commitment: Float = 0.01) {
        self.quantization = quantization
        self.commitment = commitment
    }
}

/// The loss of one batch, term by term (`total` includes the weights).
public struct LossTerms: Sendable, Equatable {
    public var reconstruction: Float
    public var quantization: Float
    public var commitment: Float
    public var total: Float
    public init(reconstruction: Float, quantization: Float, commitment: Float, total: Float) {
        self.reconstruction = reconstruction
        self.quantization = quantization
        self.commitment = commitment
        self.total = total
    }
}

extension QLAE {
    /// loss = mean sigmoid BCE(logits, images) + w_q·mean((sg(c) − q)²) + w_c·mean((c − sg(q))²),
    /// with the straight-through estimator: the decoder sees the quantized values q, and the
    /// gradient reaching them goes on to the continuous encoder output c. The quantization term
    /// moves the codebooks, the commitment term the encoder. Unquantized models decode c and
    /// have only the BCE term. images (N, C, H, W) in [0, 1].
    public func lossAndGradients(images: Tensor, weights: LossWeights = LossWeights())
        -> (loss: LossTerms, gradients: [String: Tensor]) {
        let image = config.image
        precondition(images.rank == 4 && images.shape[1] == image.channels && images.shape[2] == image.height
                     && images.shape[3] == image.width, "lossAndGradients expects (N, \(image.channels), \(image.height), \(image.width)), got \(images.shape)")
        let n = images.shape[0]
        let targets = FeatureMap(nchw: images)

        // Forward
        let p = parameterSet
        var encoderTape: EncoderTape? = EncoderTape()
        let continuous = architecture.encoder.forward(targets, p, tape: &encoderTape)
        var decoderInput = continuous
        var codes: [[Int]] = []
        if architecture.quantized {
            let q = Quantizer.quantize(continuous, codebooks: codebookTensor)
            decoderInput = q.values
            codes = q.codes
        }
        var decoderTape: DecoderTape? = DecoderTape()
        let logits = architecture.decoder.forward(decoderInput, p, constants: nil, tape: &decoderTape)

        // Reconstruction: BCE from logits, stable form max(l, 0) − l·x + log(1 + e^−|l|).
        let pixelCount = logits.count
        var dLogits = logits
        var bce = 0.0
        logits.data.withUnsafeBufferPointer { l in
            targets.data.withUnsafeBufferPointer { x in
                dLogits.data.withUnsafeMutableBufferPointer { d in
                    let scale = 1 / Float(pixelCount)
                    var partial: Float = 0
                    for i in 0..<pixelCount {
                        let v = l[i]
                        partial += max(v, 0) - v * x[i] + log1pf(expf(-abs(v)))
                        d[i] = (Activation.sigmoid(v) - x[i]) * scale
                        if i & 4095 == 4095 { bce += Double(partial); partial = 0 }
                    }
                    bce += Double(partial)
                }
            }
        }
        bce /= Double(pixelCount)

        // Quantization and commitment share the value mean((c − q)²); their gradients differ.
        var squared = 0.0
        var dContinuousExtra = Tensor(zeros: continuous.shape)
        var dCodebooks: Tensor? = nil
        if architecture.quantized {
            let latentCount = continuous.count
            var dValues = Tensor(zeros: codebookTensor.shape)
            let nz = architecture.latentCount, nv = architecture.valuesPerLatent
            for i in 0..<n {
                for j in 0..<nz {
                    let diff = continuous.data[i * nz + j] - decoderInput.data[i * nz + j]
                    squared += Double(diff) * Double(diff)
                    let g = 2 * diff / Float(latentCount)
                    dContinuousExtra.data[i * nz + j] = weights.commitment * g
                    dValues.data[j * nv + codes[i][j]] -= weights.quantization * g
                }
            }
            squared /= Double(latentCount)
            dCodebooks = dValues
        }

        // Backward: decoder, straight through the quantizer, encoder.
        var gradients: [String: Tensor] = [:]
        var dLatents = architecture.decoder.backward(dLogits, tape: decoderTape!, p, gradients: &gradients)
        for k in 0..<dLatents.count { dLatents.data[k] += dContinuousExtra.data[k] }
        if let dCodebooks, let name = architecture.codebooks { gradients[name] = dCodebooks }
        architecture.encoder.backward(dLatents, tape: encoderTape!, p, gradients: &gradients)

        let quantization = Float(squared)
        let reconstruction = Float(bce)
        let total = reconstruction + weights.quantization * quantization + weights.commitment * quantization
        return (LossTerms(reconstruction: reconstruction, quantization: quantization, commitment: quantization, total: total),
                gradients)
    }
}

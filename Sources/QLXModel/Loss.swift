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
    ///
    /// The batch is cut into shards of `imagesPerShard` images that the cores take in turn,
    /// each run forward and backward with every inner loop and product on its core, and the
    /// shards' sums added: images are independent through the whole network (instance norm
    /// is per image), so this is the same loss and gradient as one pass, with two joins per
    /// step instead of one per layer. Sums are added in shard order, so any core count gives
    /// the same bits.
    public func lossAndGradients(images: Tensor, weights: LossWeights = LossWeights())
        -> (loss: LossTerms, gradients: [String: Tensor]) {
        let image = config.image
        precondition(images.rank == 4 && images.shape[1] == image.channels && images.shape[2] == image.height
                     && images.shape[3] == image.width, "lossAndGradients expects (N, \(image.channels), \(image.height), \(image.width)), got \(images.shape)")
        let n = images.shape[0]
        let shardCount = Self.trainingShardCount(batch: n)
        let normalization = BatchNormalization(pixels: images.count, latents: n * architecture.latentCount)
        var shards = [ShardSums?](repeating: nil, count: shardCount)
        if shardCount == 1 {
            shards[0] = shardSums(images: images, normalization: normalization, weights: weights)
        } else {
            let imageSize = images.count / n
            shards.withUnsafeMutableBufferPointer { results in
                Gemm.withSingleThread {
                    Parallel.forEachTask(count: shardCount) { shard in
                        let first = n * shard / shardCount, end = n * (shard + 1) / shardCount
                        let slice = Tensor(shape: [end - first] + images.shape.dropFirst(),
                                           data: Array(images.data[(first * imageSize)..<(end * imageSize)]))
                        results[shard] = Parallel.serially {
                            shardSums(images: slice, normalization: normalization, weights: weights)
                        }
                    }
                }
            }
        }
        var total = shards[0]!
        for shard in shards.dropFirst() { total.add(shard!) }

        let quantization = Float(total.squaredDistance / Double(normalization.latents))
        let reconstruction = Float(total.crossEntropy / Double(normalization.pixels))
        let sum = reconstruction + weights.quantization * quantization + weights.commitment * quantization
        return (LossTerms(reconstruction: reconstruction, quantization: quantization, commitment: quantization, total: sum),
                total.gradients)
    }

    /// Shards of a training batch: `imagesPerShard` each (the last ones one fewer where the
    /// batch does not divide), whatever the core count, so the sums, and with them every
    /// trained bit, are the same on any machine with the same BLAS kernels.
    static func trainingShardCount(batch: Int) -> Int {
        max(1, (batch + imagesPerShard - 1) / imagesPerShard)
    }

    /// Images per shard. Small shards keep a layer's activations and columns (about 2 MB at
    /// 8 images of the default architecture) in cache between the passes that touch them;
    /// smaller ones gain nothing more (`qlx bench --only training`).
    static let imagesPerShard = 8

    /// The whole batch's counts that every shard divides by, so shard gradients add up.
    struct BatchNormalization {
        var pixels: Int
        var latents: Int
    }

    /// A shard's unnormalised loss sums and its gradients (already divided by the batch counts).
    struct ShardSums {
        var crossEntropy: Double
        var squaredDistance: Double
        var gradients: [String: Tensor]

        mutating func add(_ other: ShardSums) {
            crossEntropy += other.crossEntropy
            squaredDistance += other.squaredDistance
            for (name, gradient) in other.gradients {
                gradients[name]!.data.withUnsafeMutableBufferPointer { sum in
                    gradient.data.withUnsafeBufferPointer { part in
                        Parallel.forRanges(count: part.count, minimumPerThread: 1 << 14) { range in
                            for i in range { sum[i] += part[i] }
                        }
                    }
                }
            }
        }
    }

    /// Forward and backward over `images`, one shard of a batch counted by `normalization`.
    private func shardSums(images: Tensor, normalization: BatchNormalization, weights: LossWeights) -> ShardSums {
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
                    let scale = 1 / Float(normalization.pixels)
                    var partial: Float = 0
                    for i in 0..<pixelCount {
                        // One exponential serves the loss and the sigmoid (as Activation.sigmoid
                        // computes it: e^−|v| on either side of 0).
                        let v = l[i]
                        let e = expf(-abs(v))
                        partial += max(v, 0) - v * x[i] + log1pf(e)
                        d[i] = ((v >= 0 ? 1 : e) / (1 + e) - x[i]) * scale
                        if i & 4095 == 4095 { bce += Double(partial); partial = 0 }
                    }
                    bce += Double(partial)
                }
            }
        }

        // Quantization and commitment share the value mean((c − q)²); their gradients differ.
        var squared = 0.0
        var dContinuousExtra = Tensor(zeros: continuous.shape)
        var dCodebooks: Tensor? = nil
        if architecture.quantized {
            var dValues = Tensor(zeros: codebookTensor.shape)
            let nz = architecture.latentCount, nv = architecture.valuesPerLatent
            for i in 0..<n {
                for j in 0..<nz {
                    let diff = continuous.data[i * nz + j] - decoderInput.data[i * nz + j]
                    squared += Double(diff) * Double(diff)
                    let g = 2 * diff / Float(normalization.latents)
                    dContinuousExtra.data[i * nz + j] = weights.commitment * g
                    dValues.data[j * nv + codes[i][j]] -= weights.quantization * g
                }
            }
            dCodebooks = dValues
        }

        // Backward: decoder, straight through the quantizer, encoder.
        var gradients: [String: Tensor] = [:]
        var dLatents = architecture.decoder.backward(dLogits, tape: decoderTape!, p, gradients: &gradients)
        for k in 0..<dLatents.count { dLatents.data[k] += dContinuousExtra.data[k] }
        if let dCodebooks, let name = architecture.codebooks { gradients[name] = dCodebooks }
        architecture.encoder.backward(dLatents, tape: encoderTape!, p, gradients: &gradients)
        return ShardSums(crossEntropy: bce, squaredDistance: squared, gradients: gradients)
    }
}

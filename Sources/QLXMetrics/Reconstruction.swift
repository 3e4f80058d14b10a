import Foundation
import QLXCore

/// Sums reconstruction errors batch by batch, so a large evaluation never holds every image.
public struct ReconstructionAccumulator: Sendable {
    private var bceSum = 0.0
    private var squaredErrorSum = 0.0
    private var pixels = 0

    public init() {}

    /// Adds a batch: decoder logits and target pixels of the same shape (N, C, H, W).
    public mutating func add(logits: Tensor, targets: Tensor) {
        precondition(logits.shape == targets.shape, "logits \(logits.shape) vs targets \(targets.shape)")
        logits.data.withUnsafeBufferPointer { z in
            targets.data.withUnsafeBufferPointer { x in
                var bce = 0.0, squared = 0.0
                for i in 0..<z.count {
                    let logit = Double(z[i]), pixel = Double(x[i])
                    // max(z, 0) − z·x + log(1 + e^−|z|): the stable form of the sigmoid BCE.
                    bce += max(logit, 0) - logit * pixel + log1p(exp(-abs(logit)))
                    let error = 1 / (1 + exp(-logit)) - pixel
                    squared += error * error
                }
                bceSum += bce
                squaredErrorSum += squared
            }
        }
        pixels += logits.count
    }

    /// nil before the first batch.
    public var result: ReconstructionMetrics? {
        guard pixels > 0 else { return nil }
        return ReconstructionMetrics(bce: bceSum / Double(pixels), mse: squaredErrorSum / Double(pixels))
    }
}

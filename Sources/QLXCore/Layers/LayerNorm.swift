/// Layer normalisation of each row of an (N, F) tensor: the row is shifted to mean 0 and
/// scaled to variance 1 (biased variance, `epsilon` 1e-5, Equinox's default), then mapped
/// through an element-wise affine y = γ ⊙ x̂ + β (weight γ [F], bias β [F]).
public struct LayerNorm: Sendable, Equatable {
    public var features: Int
    public var epsilon: Float

    public init(features: Int, epsilon: Float = 1e-5) {
        precondition(features > 0)
        self.features = features
        self.epsilon = epsilon
    }

    /// What backward needs: the normalised rows x̂ and 1/σ per row.
    public struct Cache: Sendable {
        public var normalized: Tensor
        public var inverseStd: [Float]
    }

    /// x (N, F) → (cache with x̂, y = γ ⊙ x̂ + β).
    public func forward(_ x: Tensor, weight: Tensor, bias: Tensor) -> (cache: Cache, output: Tensor) {
        precondition(x.rank == 2 && x.shape[1] == features, "layer norm expects (N, \(features)), got \(x.shape)")
        precondition(weight.shape == [features] && bias.shape == [features])
        let n = x.shape[0], f = features
        var inverseStd = [Float](repeating: 0, count: n)
        var normalized = [Float](repeating: 0, count: x.count)
        var output = [Float](repeating: 0, count: x.count)
        x.data.withUnsafeBufferPointer { src in
            for row in 0..<n {
                let p = src.baseAddress! + row * f
                let mean = Reduce.sum(p, count: f) / Float(f)
                let r = 1 / (Reduce.squaredDeviations(p, count: f, around: mean) / Float(f) + epsilon).squareRoot()
                inverseStd[row] = r
                for j in 0..<f {
                    let h = (p[j] - mean) * r
                    normalized[row * f + j] = h
                    output[row * f + j] = h * weight.data[j] + bias.data[j]
                }
            }
        }
        return (Cache(normalized: Tensor(shape: x.shape, data: normalized), inverseStd: inverseStd),
                Tensor(shape: x.shape, data: output))
    }

    /// Gradients of `forward`: dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy, and with g = dy ⊙ γ,
    /// dx = (1/σ)·(g − mean(g) − x̂·mean(g ⊙ x̂)) per row.
    public func backward(_ cache: Cache, weight: Tensor, dOutput: Tensor) -> (dInput: Tensor, dWeight: Tensor, dBias: Tensor) {
        let xHat = cache.normalized
        precondition(dOutput.shape == xHat.shape)
        let n = xHat.shape[0], f = features
        var dWeight = [Float](repeating: 0, count: f)
        var dBias = [Float](repeating: 0, count: f)
        var dInput = [Float](repeating: 0, count: xHat.count)
        var g = [Float](repeating: 0, count: f)
        for row in 0..<n {
            var sumG: Float = 0, sumGX: Float = 0
            for j in 0..<f {
                let dy = dOutput.data[row * f + j], h = xHat.data[row * f + j]
                dWeight[j] += dy * h
                dBias[j] += dy
                g[j] = dy * weight.data[j]
                sumG += g[j]
                sumGX += g[j] * h
            }
            let meanG = sumG / Float(f), meanGX = sumGX / Float(f), r = cache.inverseStd[row]
            for j in 0..<f { dInput[row * f + j] = r * (g[j] - meanG - xHat.data[row * f + j] * meanGX) }
        }
        return (Tensor(shape: xHat.shape, data: dInput), Tensor(shape: [f], data: dWeight), Tensor(shape: [f], data: dBias))
    }

    // MARK: Plain-loop reference (Double accumulation, two passes), for tests

    public func referenceForward(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let n = x.shape[0], f = features
        var out = Tensor(zeros: x.shape)
        for row in 0..<n {
            let values = (0..<f).map { Double(x.data[row * f + $0]) }
            let mean = values.reduce(0, +) / Double(f)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(f)
            for j in 0..<f {
                let h = (values[j] - mean) / (variance + Double(epsilon)).squareRoot()
                out.data[row * f + j] = Float(h * Double(weight.data[j]) + Double(bias.data[j]))
            }
        }
        return out
    }
}

import QLXCore

/// The part of a conv block shared by the encoder and the image decoder: instance norm with
/// this affine, then leaky ReLU 0.2, on a convolution's output.
extension NormAffine {
    func instanceNormLeakyReLU(_ convOutput: FeatureMap, _ p: ParameterSet)
        -> (cache: InstanceNorm.Cache, output: FeatureMap) {
        let norm = InstanceNorm(channels: convOutput.channels)
        let cache = norm.normalize(convOutput)
        let output = norm.affineLeakyReLU(cache.normalized, weight: p[weight], bias: p[bias])
        return (cache, output)
    }

    /// The same output in one pass over each plane, without the cache (decoding).
    func fusedInstanceNormLeakyReLU(_ convOutput: FeatureMap, _ p: ParameterSet) -> FeatureMap {
        InstanceNorm(channels: convOutput.channels).normalizeAffineLeakyReLU(convOutput, weight: p[weight], bias: p[bias])
    }

    /// Given the gradient of the block's output, stores the affine's gradients and returns the
    /// gradient of the convolution's output.
    func instanceNormLeakyReLUBackward(cache: InstanceNorm.Cache, output: FeatureMap, dOutput: FeatureMap,
                                       _ p: ParameterSet, gradients: inout [String: Tensor]) -> FeatureMap {
        let norm = InstanceNorm(channels: output.channels)
        let affine = norm.affineLeakyReLUBackward(cache.normalized, weight: p[weight], output: output, dOutput: dOutput)
        gradients[weight] = affine.dWeight
        gradients[bias] = affine.dBias
        return norm.normalizeBackward(cache, dNormalized: affine.dNormalized)
    }
}

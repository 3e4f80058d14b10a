import QLXCore

/// The part of a conv block shared by the encoder and the image decoder: instance norm with
/// affine, then leaky ReLU 0.2, on a convolution's output. Parameters live under
/// "<prefix>.norm.weight" and "<prefix>.norm.bias".
extension QLAE {
    func normalizedBlockForward(_ convOutput: FeatureMap, prefix: String)
        -> (cache: InstanceNorm.Cache, output: FeatureMap) {
        let norm = InstanceNorm(channels: convOutput.channels)
        let cache = norm.normalize(convOutput)
        let output = norm.affineLeakyReLU(cache.normalized, weight: parameter("\(prefix).norm.weight"),
                                          bias: parameter("\(prefix).norm.bias"))
        return (cache, output)
    }

    /// Given the gradient of the block's output, stores the norm's parameter gradients and
    /// returns the gradient of the convolution's output.
    func normalizedBlockBackward(prefix: String, cache: InstanceNorm.Cache, output: FeatureMap,
                                 dOutput: FeatureMap, gradients: inout [String: Tensor]) -> FeatureMap {
        let norm = InstanceNorm(channels: output.channels)
        let affine = norm.affineLeakyReLUBackward(cache.normalized, weight: parameter("\(prefix).norm.weight"),
                                                  output: output, dOutput: dOutput)
        gradients["\(prefix).norm.weight"] = affine.dWeight
        gradients["\(prefix).norm.bias"] = affine.dBias
        return norm.normalizeBackward(cache, dNormalized: affine.dNormalized)
    }
}

import QLXCore

/// Multiply-add counts of the matrix work (convolutions and dense layers), for benchmarks
/// that report achieved GFLOPS (1 multiply-add = 2 floating-point operations).
extension QLAE {
    /// Multiply-adds to encode `batch` images.
    public func encoderMultiplyAdds(batch: Int) -> Int {
        let a = architecture
        var total = 0
        var (h, w) = (config.image.height, config.image.width)
        for conv in a.encoderConvs {
            (h, w) = conv.outputSize(height: h, width: w)
            total += conv.outChannels * conv.inChannels * conv.kernel * conv.kernel * h * w
        }
        total += (a.encoderDense + [a.head]).reduce(0) { $0 + $1.inFeatures * $1.outFeatures }
        return total * batch
    }

    /// Multiply-adds to decode `batch` latent vectors (the style decoder's first block, shared by
    /// every image and cached, is not counted).
    public func decoderMultiplyAdds(batch: Int) -> Int {
        let a = architecture
        var perImage = a.decoderDense.reduce(0) { $0 + $1.inFeatures * $1.outFeatures }
        perImage += a.transition.map { $0.inFeatures * $0.outFeatures } ?? 0
        perImage += a.conditioning.reduce(0) { $0 + $1.inFeatures * $1.outFeatures }
        var (h, w) = (a.finalMap.height, a.finalMap.width)
        for (i, t) in a.decoderTransposes.enumerated() {
            if !(a.kind == .styleImage && i == 0) {
                perImage += t.inChannels * t.outChannels * t.kernel * t.kernel * h * w
            }
            (h, w) = t.outputSize(height: h, width: w)
        }
        let out = a.outputConv
        perImage += out.outChannels * out.inChannels * out.kernel * out.kernel * h * w
        return perImage * batch
    }

    /// Bytes of the buffers one image of a training batch needs (an estimate, for the
    /// `--batch` limit): every layer's output and, for convolutions, its im2col columns, each
    /// again for the backward pass, as Float. In Double, so untrusted sizes cannot overflow.
    public func trainingBytesPerImage() -> Int {
        let a = architecture
        var floats = Double(config.image.channels * config.image.height * config.image.width)
        var (h, w) = (config.image.height, config.image.width)
        for conv in a.encoderConvs {
            (h, w) = conv.outputSize(height: h, width: w)
            floats += Double(h) * Double(w) * (Double(conv.outChannels) + Double(conv.inChannels) * Double(conv.kernel * conv.kernel))
        }
        let dense = a.encoderDense + [a.head] + a.decoderDense + a.conditioning + (a.transition.map { [$0] } ?? [])
        floats += dense.reduce(0) { $0 + Double($1.outFeatures) }
        (h, w) = (a.finalMap.height, a.finalMap.width)
        for t in a.decoderTransposes {
            floats += Double(h) * Double(w) * Double(t.inChannels * t.kernel * t.kernel)
            (h, w) = t.outputSize(height: h, width: w)
            floats += Double(h) * Double(w) * Double(t.outChannels)
        }
        let out = a.outputConv
        floats += Double(h) * Double(w) * (Double(out.outChannels) + Double(out.inChannels) * Double(out.kernel * out.kernel))
        let bytes = floats * 2 * 4
        return bytes >= Double(Int.max) ? Int.max : Int(bytes)
    }
}

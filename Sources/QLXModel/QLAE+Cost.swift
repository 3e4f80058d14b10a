import QLXCore

/// Multiply-add counts of the matrix work (convolutions and dense layers), for benchmarks
/// that report achieved GFLOPS (1 multiply-add = 2 floating-point operations).
extension QLAE {
    /// Multiply-adds to encode `batch` images.
    public func encoderMultiplyAdds(batch: Int) -> Int {
        let e = architecture.encoder
        var total = 0
        var (h, w) = (config.image.height, config.image.width)
        for block in e.convs {
            let conv = block.conv
            (h, w) = conv.outputSize(height: h, width: w)
            total += conv.outChannels * conv.inChannels * conv.kernel * conv.kernel * h * w
        }
        total += e.dense.multiplyAdds + e.head.layer.inFeatures * e.head.layer.outFeatures
        return total * batch
    }

    /// Multiply-adds to decode `batch` latent vectors (a part shared by every image and cached,
    /// such as the style decoder's first block, is not counted).
    public func decoderMultiplyAdds(batch: Int) -> Int {
        architecture.decoder.multiplyAddsPerImage * batch
    }

    /// Bytes of the buffers one image of a training batch needs (an estimate, for the
    /// `--batch` limit): every layer's output and, for convolutions, its im2col columns, each
    /// again for the backward pass, as Float. In Double, so untrusted sizes cannot overflow.
    public func trainingBytesPerImage() -> Int {
        let e = architecture.encoder
        var floats = Double(config.image.channels * config.image.height * config.image.width)
        var (h, w) = (config.image.height, config.image.width)
        for block in e.convs {
            (h, w) = block.conv.outputSize(height: h, width: w)
            floats += convolutionFloats(block.conv, outputHeight: h, outputWidth: w)
        }
        floats += e.dense.outputFloats + Double(e.head.layer.outFeatures)
        floats += architecture.decoder.trainingFloatsPerImage
        let bytes = floats * 2 * 4
        return bytes >= Double(Int.max) ? Int.max : Int(bytes)
    }

    /// Bytes of the buffers one latent vector of a decoding batch needs (an estimate, for
    /// `qlx decode --batch`): every decoder layer's output and im2col columns as Float, as
    /// when training, and the decoded image. In Double, so untrusted sizes cannot overflow.
    public func decodingBytesPerImage() -> Int {
        let floats = architecture.decoder.trainingFloatsPerImage + Double(config.image.channels * config.image.height * config.image.width)
        let bytes = floats * 4
        return bytes >= Double(Int.max) ? Int.max : Int(bytes)
    }
}

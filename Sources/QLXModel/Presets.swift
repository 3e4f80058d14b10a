/// The reference implementation's architectures (configs/encoder_partial and
/// configs/decoder_partial of the QLAE code), by name.
public enum ArchitecturePreset {
    public static let encoderNames = ["image", "image_small", "dense"]
    public static let decoderNames = ["image", "image_small", "style_image", "style_image_small", "dense"]

    /// Paper encoder: 12 conv blocks, kernels 3,3,4 and strides 1,1,2 repeated; dense 256,256.
    public static let imageEncoder = EncoderConfig(
        preset: "image",
        conv: ConvStackConfig(widths: [32, 32, 32, 64, 64, 64, 128, 128, 128, 256, 256, 256],
                              kernelSizes: [3, 3, 4, 3, 3, 4, 3, 3, 4, 3, 3, 4],
                              strides: [1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2],
                              paddings: Array(repeating: 1, count: 12)),
        denseWidths: [256, 256])

    public static let imageSmallEncoder = EncoderConfig(
        preset: "image_small",
        conv: ConvStackConfig(widths: [64, 128, 256, 512], kernelSizes: [4, 4, 4, 4],
                              strides: [2, 2, 2, 2], paddings: [1, 1, 1, 1]),
        denseWidths: [512])

    /// Flatten, then 4 dense blocks of 2048 with layer norm.
    public static let denseEncoder = EncoderConfig(
        kind: .dense, preset: "dense", conv: ConvStackConfig.empty,
        denseWidths: [2048, 2048, 2048, 2048])

    private static let paperTranspose = ConvStackConfig(
        widths: [256, 256, 256, 128, 128, 128, 64, 64, 64, 32, 32, 32],
        kernelSizes: [3, 3, 4, 3, 3, 4, 3, 3, 4, 3, 3, 4],
        strides: [1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2],
        paddings: Array(repeating: 1, count: 12))

    private static let smallTranspose = ConvStackConfig(
        widths: [512, 256, 128, 64], kernelSizes: [4, 4, 4, 4],
        strides: [2, 2, 2, 2], paddings: [1, 1, 1, 1])

    public static let imageDecoder = DecoderConfig(
        kind: .image, preset: "image", denseWidths: [256, 256], convTranspose: paperTranspose)

    public static let imageSmallDecoder = DecoderConfig(
        kind: .image, preset: "image_small", denseWidths: [512], convTranspose: smallTranspose)

    public static let styleImageDecoder = DecoderConfig(
        kind: .styleImage, preset: "style_image", denseWidths: [256, 256],
        convTranspose: paperTranspose, inputChannels: 256)

    public static let styleImageSmallDecoder = DecoderConfig(
        kind: .styleImage, preset: "style_image_small", denseWidths: [512],
        convTranspose: smallTranspose, inputChannels: 512)

    /// 4 dense blocks of 2048 with layer norm, then a linear layer to the image's pixels.
    public static let denseDecoder = DecoderConfig(
        kind: .dense, preset: "dense", denseWidths: [2048, 2048, 2048, 2048],
        convTranspose: ConvStackConfig.empty)

    public static func encoder(named name: String) -> EncoderConfig? {
        switch name {
        case "image": return imageEncoder
        case "image_small": return imageSmallEncoder
        case "dense": return denseEncoder
        default: return nil
        }
    }

    public static func decoder(named name: String) -> DecoderConfig? {
        switch name {
        case "image": return imageDecoder
        case "image_small": return imageSmallDecoder
        case "style_image": return styleImageDecoder
        case "style_image_small": return styleImageSmallDecoder
        case "dense": return denseDecoder
        default: return nil
        }
    }
}

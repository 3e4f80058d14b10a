import QLXModel

/// The config of a tiny random-init image QLAE on the sprites dataset (64×64 gray, the five
/// dSprites factors): two stride-4 conv blocks each way, so it decodes in well under a
/// millisecond and `--from sample N` and metrics work on real sprites.
func tinySpritesConfig(encoderWidths: [Int], decoderWidths: [Int], dense: Int, latents: Int, values: Int) -> QLAEConfig {
    let stack = { (widths: [Int]) in ConvStackConfig(widths: widths, kernelSizes: [4, 4], strides: [4, 4], paddings: [0, 0]) }
    return QLAEConfig(
        encoder: EncoderConfig(preset: "custom", conv: stack(encoderWidths), denseWidths: [dense]),
        decoder: DecoderConfig(kind: .image, preset: "custom", denseWidths: [dense], convTranspose: stack(decoderWidths)),
        latent: LatentConfig(count: latents, valuesPerLatent: values),
        image: ImageShape(channels: 1, height: 64, width: 64),
        dataset: DatasetInfo(name: "sprites", factorNames: ["shape", "scale", "orientation", "posX", "posY"],
                             factorSizes: [3, 6, 40, 32, 32]))
}

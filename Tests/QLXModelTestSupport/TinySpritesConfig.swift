import QLXCore
import QLXModel

/// The config of a tiny random-init image QLAE on the sprites dataset (64×64 gray, the five
/// dSprites factors). By default two stride-4 conv blocks each way (kernel 4, no padding),
/// so it decodes in well under a millisecond and `--from sample N` and metrics work on real
/// sprites; `stride: 2, padding: 1` gives `qlx train`'s halving blocks instead.
public func tinySpritesConfig(encoderWidths: [Int], decoderWidths: [Int], dense: Int, latents: Int, values: Int,
                              quantized: Bool = true, stride: Int = 4, padding: Int = 0) -> QLAEConfig {
    let stack = { (widths: [Int]) in
        ConvStackConfig(widths: widths, kernelSizes: widths.map { _ in 4 }, strides: widths.map { _ in stride },
                        paddings: widths.map { _ in padding })
    }
    return QLAEConfig(
        encoder: EncoderConfig(preset: "custom", conv: stack(encoderWidths), denseWidths: [dense]),
        decoder: DecoderConfig(kind: .image, preset: "custom", denseWidths: [dense], convTranspose: stack(decoderWidths)),
        latent: LatentConfig(count: latents, valuesPerLatent: values, quantized: quantized),
        image: ImageShape(channels: 1, height: 64, width: 64),
        dataset: DatasetInfo(name: "sprites", factorNames: ["shape", "scale", "orientation", "posX", "posY"],
                             factorSizes: [3, 6, 40, 32, 32]))
}

/// A tiny model on the real 64×64 sprites, small enough to train a few hundred steps in
/// seconds: four halving blocks each way (as `qlx train --encoder-widths` builds them).
public func trainableSpritesConfig(latents: Int = 4, quantized: Bool = true) -> QLAEConfig {
    tinySpritesConfig(encoderWidths: [4, 8, 8, 8], decoderWidths: [8, 8, 8, 4], dense: 32, latents: latents, values: 10,
                      quantized: quantized, stride: 2, padding: 1)
}

/// A stored "qlx.metrics" report for a 3-latent sprites model on 1,000 samples: latent 0
/// encodes posX, latent 1 is inactive, latent 2 encodes posY.
public let threeLatentMetricsReport = """
{"factorNames":["shape","scale","orientation","posX","posY"],"nmi":[[0,0,0],[0,0,0],[0,0,0],[0.9,0,0.1],[0,0,0.8]],
 "mutualInformation":[[0,0,0],[0,0,0],[0,0,0],[3,0,0.3],[0,0,2.7]],"sourceEntropies":[1,1.7,3.6,3.4,3.4],
 "activeLatents":[true,false,true],"infoM":0.5,"infoE":0.5,"infoC":0.5,"mig":0.3,
 "explicitnessPerSource":[0,0,0,0.9,0.8],"latentFactor":[3,null,4],"latentKind":"discrete","samples":1000}
"""

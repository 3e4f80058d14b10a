import QLXCore
import QLXModel

/// The config of a tiny random-init image QLAE on the sprites dataset (64×64 gray, the five
/// dSprites factors): two stride-4 conv blocks each way, so it decodes in well under a
/// millisecond and `--from sample N` and metrics work on real sprites.
public func tinySpritesConfig(encoderWidths: [Int], decoderWidths: [Int], dense: Int, latents: Int, values: Int) -> QLAEConfig {
    let stack = { (widths: [Int]) in ConvStackConfig(widths: widths, kernelSizes: [4, 4], strides: [4, 4], paddings: [0, 0]) }
    return QLAEConfig(
        encoder: EncoderConfig(preset: "custom", conv: stack(encoderWidths), denseWidths: [dense]),
        decoder: DecoderConfig(kind: .image, preset: "custom", denseWidths: [dense], convTranspose: stack(decoderWidths)),
        latent: LatentConfig(count: latents, valuesPerLatent: values),
        image: ImageShape(channels: 1, height: 64, width: 64),
        dataset: DatasetInfo(name: "sprites", factorNames: ["shape", "scale", "orientation", "posX", "posY"],
                             factorSizes: [3, 6, 40, 32, 32]))
}

/// A stored "qlx.metrics" report for a 3-latent sprites model on 1,000 samples: latent 0
/// encodes posX, latent 1 is inactive, latent 2 encodes posY.
public let threeLatentMetricsReport = """
{"factorNames":["shape","scale","orientation","posX","posY"],"nmi":[[0,0,0],[0,0,0],[0,0,0],[0.9,0,0.1],[0,0,0.8]],
 "mutualInformation":[[0,0,0],[0,0,0],[0,0,0],[3,0,0.3],[0,0,2.7]],"sourceEntropies":[1,1.7,3.6,3.4,3.4],
 "activeLatents":[true,false,true],"infoM":0.5,"infoE":0.5,"infoC":0.5,"mig":0.3,
 "explicitnessPerSource":[0,0,0,0.9,0.8],"latentFactor":[3,null,4],"latentKind":"discrete","samples":1000}
"""

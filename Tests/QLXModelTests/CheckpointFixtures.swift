import Foundation
import QLXCore
import QLXModel

/// Shared by the checkpoint tests: the fixture folder, the tiny configurations and the value
/// formula of scripts/golden/checkpoint_fixture.py (recomputed here, not read from a file).
enum CheckpointFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// float32(((i·37 + k·11) mod 101 − 50) / 192), k = (sum of the name's UTF-8 bytes) mod 97.
    static func formula(_ name: String, shape: [Int]) -> Tensor {
        let k = name.utf8.reduce(0) { $0 + Int($1) } % 97
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, data: (0..<count).map { i in Float(Double((i * 37 + k * 11) % 101 - 50) / 192) })
    }

    static func stack(_ widths: [Int], kernel: Int, stride: Int, padding: Int) -> ConvStackConfig {
        ConvStackConfig(widths: widths, kernelSizes: widths.map { _ in kernel },
                        strides: widths.map { _ in stride }, paddings: widths.map { _ in padding })
    }

    /// TINY_IMAGE_CONFIG of the script.
    static let tinyImage = QLAEConfig(
        encoder: EncoderConfig(preset: "custom", conv: stack([4, 6], kernel: 4, stride: 2, padding: 1), denseWidths: [5]),
        decoder: DecoderConfig(kind: .image, preset: "custom", denseWidths: [5],
                               convTranspose: stack([4, 3], kernel: 4, stride: 2, padding: 1)),
        latent: LatentConfig(count: 3, valuesPerLatent: 4),
        image: ImageShape(channels: 1, height: 8, width: 8),
        dataset: DatasetInfo(name: "tiny", factorNames: ["shape", "size"], factorSizes: [3, 2]))

    /// TINY_STYLE_CONFIG of the script.
    static let tinyStyle = QLAEConfig(
        encoder: EncoderConfig(preset: "custom", conv: stack([4], kernel: 4, stride: 2, padding: 1), denseWidths: []),
        decoder: DecoderConfig(kind: .styleImage, preset: "custom", denseWidths: [6],
                               convTranspose: stack([3], kernel: 4, stride: 2, padding: 1), inputChannels: 5),
        latent: LatentConfig(count: 2, valuesPerLatent: 5),
        image: ImageShape(channels: 3, height: 8, width: 8),
        dataset: DatasetInfo(name: "tiny-colour", factorNames: ["hue", "posX", "posY"], factorSizes: [4, 8, 8]),
        training: TrainingSettings(TrainingHyperparameters(steps: 1000, batchSize: 16, learningRate: 0.001, weightDecay: 0.1,
                                                           quantizationWeight: 0.01, commitmentWeight: 0.01, seed: 7),
                                   stepsDone: 250))

    /// Every model parameter of `config` filled by the formula, plus optimizer moments for
    /// `optimizerFor` (named like the script does).
    static func formulaTensors(_ config: QLAEConfig, optimizerFor: [String] = []) throws -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (name, shape) in try QLAE.parameterShapes(for: config) { tensors[name] = formula(name, shape: shape) }
        for name in optimizerFor {
            for moment in ["m", "v"] {
                let key = "optimizer.\(moment).\(name)"
                tensors[key] = formula(key, shape: tensors[name]!.shape)
            }
        }
        return tensors
    }

    /// The checkpoint behind checkpoint_written_by_qlx.safetensors.
    static func qlxWritten() throws -> Checkpoint {
        Checkpoint(config: tinyStyle,
                   tensors: try formulaTensors(tinyStyle, optimizerFor: ["decoder.input_map", "encoder.head.bias"]),
                   metadata: ["qlx.training_state": #"{"step":250}"#, "note": "written by qlx for the interop fixture"])
    }

    /// CRC-32 (IEEE, as zlib.crc32) so the committed Python report can be tied to the file.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0xEDB8_8320) }
        }
        return ~crc
    }
}

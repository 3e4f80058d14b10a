import ArgumentParser
import Foundation
import QLXCore
import QLXIO
import QLXMetrics
import QLXModel
import QLXReference

/// `qlx info`: what a checkpoint holds, as aligned text or (`--json`) as one JSON object.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a checkpoint: architecture, parameters, codebooks, dataset, training.",
        discussion: "Without a path, describes the bundled model.")

    @OptionGroup var checkpoint: CheckpointArgument

    @Flag(name: .long, help: "Print the description as JSON.")
    var json = false

    func run() throws {
        let path = try checkpoint.path()
        let stored = try checkpoint.load()
        let metrics = MetricsReport.stored(in: stored)
        if let warning = metrics.warning { Streams.warn(warning) }
        let report = InfoReport(path: path, checkpoint: stored, metrics: metrics.report)
        try Streams.output(json ? try report.json() : report.text())
    }
}

/// Everything `qlx info` shows, gathered once; encoded as-is for `--json`.
struct InfoReport: Encodable {
    struct Latents: Encodable { let count: Int, valuesPerLatent: Int, quantized: Bool }
    struct Factor: Encodable { let name: String, size: Int }
    struct Dataset: Encodable { let name: String, factors: [Factor] }
    struct Metrics: Encodable { let infoM, infoE, infoC, mig: Double?; let samples: Int? }
    /// Where a reference run came from (absent for qlx checkpoints).
    struct Reference: Encodable { let family: String, model: String, config: String; let step: Int?; let steps: [Int] }

    let path: String
    let encoder: EncoderConfig
    let decoder: DecoderConfig
    let image: ImageShape
    let parameterCount: Int
    let latents: Latents
    let codebooks: [[Float]]
    let dataset: Dataset
    let training: TrainingSettings?
    let metrics: Metrics?
    let optimizerTensors: Int
    let metadataKeys: [String]
    let reference: Reference?

    init(path: String, checkpoint: Checkpoint, metrics report: MetricsReport?) {
        let config = checkpoint.config
        self.path = path
        encoder = config.encoder
        decoder = config.decoder
        image = config.image
        parameterCount = checkpoint.parameterCount
        latents = Latents(count: config.latent.count, valuesPerLatent: config.latent.valuesPerLatent,
                          quantized: config.latent.quantized)
        codebooks = checkpoint.codebooks
        dataset = Dataset(name: config.dataset.name,
                          factors: zip(config.dataset.factorNames, config.dataset.factorSizes).map(Factor.init))
        training = config.training
        metrics = report.map { Metrics(infoM: $0.infoM, infoE: $0.infoE, infoC: $0.infoC, mig: $0.mig, samples: $0.samples) }
        optimizerTensors = checkpoint.tensors.count - checkpoint.modelTensors.count
        metadataKeys = checkpoint.metadata.keys.sorted()
        let m = checkpoint.metadata
        reference = m[CheckpointSource.familyKey].map {
            Reference(family: $0, model: m[CheckpointSource.modelKey] ?? "", config: m[CheckpointSource.configKey] ?? "",
                      step: m[CheckpointSource.stepKey].flatMap { Int($0) },
                      steps: (m[CheckpointSource.stepsKey] ?? "").split(separator: ",").compactMap { Int($0) })
        }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    // MARK: Text

    /// Names and paths come from the file: each is shown with its control bytes escaped
    /// (`oneLine`), so that an escape sequence in a factor name never reaches the terminal.
    func text() -> String {
        var lines: [(String, String)] = [("checkpoint", oneLine(path))]
        if let r = reference {
            lines.append(("reference", "\(oneLine(r.family)) from the reference code" + (r.step.map { ", step \($0)" } ?? "")))
            if !r.steps.isEmpty { lines.append(("steps", r.steps.map(String.init).joined(separator: ", "))) }
            lines.append(("model file", oneLine(r.model)))
            lines.append(("config file", oneLine(r.config)))
        }
        lines.append(("architecture", "encoder \(oneLine(encoder.preset)): \(describe(encoder))"))
        lines.append(("", "decoder \(oneLine(decoder.preset)) (\(decoder.kind.rawValue)): \(decoder.kind.summary(decoder, image: image))"))
        lines.append(("image", "\(image.channels)×\(image.height)×\(image.width)"))
        lines.append(("parameters", grouped(parameterCount)))
        if latents.quantized {
            lines.append(("latents", "\(latents.count) × \(latents.valuesPerLatent) values (quantized)"))
            let labelWidth = "z\(codebooks.count - 1)".count
            for (j, values) in codebooks.enumerated() {
                let label = "z\(j)".padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                lines.append((j == 0 ? "codebooks" : "", "\(label)  " + values.map { String(format: "%6.3f", $0) }.joined(separator: " ")))
            }
        } else {
            lines.append(("latents", "\(latents.count) continuous (not quantized, no codebooks)"))
        }
        let factors = dataset.factors.map { "\(oneLine($0.name)) \($0.size)" }.joined(separator: ", ")
        lines.append(("dataset", factors.isEmpty ? oneLine(dataset.name) : "\(oneLine(dataset.name)): \(factors)"))
        if let t = training {
            lines.append(("training", "step \(grouped(t.stepsDone)) of \(grouped(t.steps)), batch \(t.batchSize), "
                          + "learning rate \(t.learningRate)\(drops(t.learningRateDrops)), weight decay \(t.weightDecay), "
                          + "quantization \(t.quantizationWeight), commitment \(t.commitmentWeight), seed \(t.seed)"))
        }
        if let m = metrics {
            let figures = [("InfoM", m.infoM), ("InfoE", m.infoE), ("InfoC", m.infoC), ("MIG", m.mig)]
                .compactMap { name, value in value.map { "\(name) \(String(format: "%.3f", $0))" } }
            lines.append(("metrics", figures.joined(separator: "  ") + (m.samples.map { "  (\(grouped($0)) samples)" } ?? "")))
        }
        if optimizerTensors > 0 { lines.append(("optimizer", "state in \(optimizerTensors) tensors")) }
        if !metadataKeys.isEmpty, reference == nil { lines.append(("metadata", metadataKeys.map(oneLine).joined(separator: ", "))) }
        return lines.map { label, value in label.padding(toLength: 14, withPad: " ", startingAt: 0) + value + "\n" }.joined()
    }

    private func describe(_ encoder: EncoderConfig) -> String {
        var parts = encoder.kind == .dense ? ["flatten"] : [encoder.conv.summary(blocks: "conv")]
        if !encoder.denseWidths.isEmpty {
            parts.append("dense " + list(encoder.denseWidths) + (encoder.kind == .dense ? " (layer norm)" : ""))
        }
        parts.append("\(latents.count) latents")
        return parts.joined(separator: " → ")
    }

    /// " (3e-4 from step 9,000)" for a step schedule; "" without one.
    private func drops(_ drops: [LearningRateDrop]?) -> String {
        guard let drops, !drops.isEmpty else { return "" }
        return " (" + drops.map { "\($0.rate) from step \(grouped($0.step))" }.joined(separator: ", ") + ")"
    }

    private func list(_ values: [Int]) -> String { ConvStackConfig.list(values) }

    /// 1234567 → "1,234,567".
    private func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}

import QLXCore
import QLXData
import QLXModel
import QLXIO

/// The whole evaluation of a model on its dataset, as `qlx metrics`, the trainer and the
/// explorer run it: sample images, encode and decode them in batches, then InfoMEC, MIG,
/// reconstruction and codebook usage.
public enum ModelEvaluation {
    /// Images per encode/decode pass: large enough for BLAS to pay, small enough for memory.
    public static let batchSize = 250

    /// Bytes one sample needs while a model is evaluated (an estimate, for the `--samples`
    /// limit): its factors, codes, values and continuous latents, and the Double one-hot rows
    /// InfoE regresses on.
    public static func bytesPerSample(for config: QLAEConfig) -> Int {
        8 * (config.latent.count * (config.latent.valuesPerLatent + 4) + config.dataset.factorSizes.count + 12)
    }

    /// The most samples whose evaluation fits in `SizeLimit.memoryLimit`.
    public static func maximumSamples(for config: QLAEConfig) -> Int {
        SizeLimit.maximumCount(bytesEach: bytesPerSample(for: config))
    }

    /// "at most 1234567 (images whose codes fit in 11.7 GB, half of this machine's memory)".
    public static func sampleLimitDescription(for config: QLAEConfig) -> String {
        "at most \(maximumSamples(for: config)) (images whose codes and metrics fit in \(SizeLimit.memoryLimitDescription))"
    }

    /// Encodes `samples` images drawn with `drawSample(count:of:seed:)`, computes every
    /// metric and reports progress 0…1 on `progress` (after each batch and at the end).
    /// With `chanceSeed`, the report also holds the chance level (`ChanceLevel`) of the same
    /// latents shuffled with that seed: one more InfoMEC, whose regressions find nothing to fit
    /// and stop early. With `interventionBases`, it also holds the interventions on the codes of
    /// the first that many samples (quantized models). `stage` gets the name of each step after
    /// encoding as it begins (the metrics, the interventions), for progress lines.
    public static func evaluate(model: QLAE, dataset: any FactorDataset, samples: Int, seed: UInt64,
                                chanceSeed: UInt64? = nil, interventionBases: Int? = nil,
                                progress: (Double) -> Void, stage: (String) -> Void = { _ in }) throws -> MetricsReport {
        guard samples >= 2 else {
            throw MetricsError.invalidSetting(name: "samples", expected: "at least 2", found: "\(samples)")
        }
        let share = interventionBases == nil ? 1.0 : 0.5
        let encoded = try encode(model: model, dataset: dataset, samples: samples, seed: seed) { fraction in
            progress(0.8 * share * fraction)
        }
        stage(model.config.latent.quantized ? "computing InfoMEC, MIG and DCI" : "computing InfoMEC and DCI")
        var report = try metrics(of: encoded, model: model, factorNames: dataset.factorNames, seed: seed,
                                 valueNames: dataset.valueNames, chanceSeed: chanceSeed)
        if let bases = interventionBases {
            progress(share)
            stage("interventions on \(bases) base codes (\(bases * model.config.latent.count * (model.config.latent.valuesPerLatent - 1)) decodes and encodes)")
            report.interventions = try InterventionMatrix.measure(model: model, baseCodes: Array(encoded.codes.prefix(bases))) {
                progress(share + (1 - share) * $0)
            }
        }
        progress(1)
        return report
    }

    /// What encoding a sample of a dataset produces: ground-truth factors, codes, values and
    /// continuous latents per sample, and the reconstruction error of decoding the values.
    public struct EncodedSample: Sendable {
        public var indices: [Int]
        /// N × factors, value indices.
        public var factors: [[Int]]
        /// N × n_z codebook indices (empty rows when the model is not quantized).
        public var codes: [[Int]]
        /// (N, n_z) quantized values.
        public var values: Tensor
        /// (N, n_z) encoder outputs before quantization.
        public var continuous: Tensor
        public var reconstruction: ReconstructionMetrics?
    }

    /// Samples, encodes and decodes in batches; `progress` gets 0…1.
    /// `order` replaces the seeded sample with these image indices (e.g. every image in file
    /// order); `samples` is then its length.
    public static func encode(model: QLAE, dataset: any FactorDataset, samples: Int, seed: UInt64, order: [Int]? = nil,
                              decode: Bool = true, progress: (Double) -> Void) throws -> EncodedSample {
        guard samples >= 1 else {
            throw MetricsError.invalidSetting(name: "samples", expected: "at least 1", found: "\(samples)")
        }
        guard samples <= maximumSamples(for: model.config) else {
            throw MetricsError.invalidSetting(name: "samples", expected: sampleLimitDescription(for: model.config), found: "\(samples)")
        }
        try dataset.checkImages(fit: model.config.image)
        let indices = order ?? drawSample(count: samples, of: dataset.count, seed: seed)
        precondition(indices.count == samples, "order has \(indices.count) indices for \(samples) samples")
        let latents = model.config.latent.count
        var codes: [[Int]] = []
        var values: [Float] = [], continuous: [Float] = []
        values.reserveCapacity(samples * latents)
        continuous.reserveCapacity(samples * latents)
        var reconstruction = ReconstructionAccumulator()
        progress(0)
        var start = 0
        while start < samples {
            let batch = Array(indices[start..<min(start + batchSize, samples)])
            let images = try dataset.images(at: batch)
            let encoding = model.encode(images)
            codes += encoding.codes
            values += encoding.values.data
            continuous += encoding.continuous.data
            if decode {
                reconstruction.add(logits: model.decode(values: encoding.values).logits, targets: images)
            }
            start += batch.count
            progress(Double(start) / Double(samples))
        }
        return EncodedSample(indices: indices, factors: dataset.factors(at: indices), codes: codes,
                             values: Tensor(shape: [samples, latents], data: values),
                             continuous: Tensor(shape: [samples, latents], data: continuous),
                             reconstruction: reconstruction.result)
    }

    /// InfoMEC, MIG and DCI (discrete codes for a quantized model, continuous values
    /// otherwise), with reconstruction, codebook usage and (codes) the values' meanings.
    /// `seed` picks DCI's held-out third.
    public static func metrics(of sample: EncodedSample, model: QLAE, factorNames: [String], seed: UInt64 = 0,
                               valueNames: [[String]]? = nil, chanceSeed: UInt64? = nil) throws -> MetricsReport {
        let n = sample.factors.count
        let sources = try LabelEncodedColumns(rows: sample.factors, input: "dataset factors")
        if model.config.latent.quantized {
            let latents = try LabelEncodedColumns(rows: sample.codes, input: "latent codes")
            let result = try ArrayMetrics.withFactorNames(factorNames) {
                try InfoMEC.discrete(sources: sources, latents: latents,
                                     sourcesName: "dataset factors", latentsName: "latent codes")
            }
            let usage = CodebookUsage.perLatent(codes: sample.codes, codebookSize: model.config.latent.valuesPerLatent)
            var report = try MetricsReport(factorNames: factorNames, infoMEC: result, latentKind: .discrete, samples: n,
                                           reconstruction: sample.reconstruction, codebookUsage: usage)
            report.chance = try chanceSeed.map {
                try InfoMEC.discreteChance(sources: sources, latents: latents, seed: $0,
                                           sourcesName: "dataset factors", latentsName: "latent codes")
            }
            report.dci = try DCI.compute(factors: sources, latentColumns: (0..<model.config.latent.count).map { j in
                sample.codes.map { Double($0[j]) }
            }, seed: seed, factorNames: factorNames, sourcesName: "dataset factors")
            report.valueMeanings = ValueMeanings(codes: sample.codes, factors: sample.factors,
                                                 codebookSize: model.config.latent.valuesPerLatent, valueNames: valueNames)
            return report
        }
        let latents = sample.continuous.shape[1]
        let columns = (0..<latents).map { j in (0..<n).map { Double(sample.continuous.data[$0 * latents + j]) } }
        let result = try ArrayMetrics.withFactorNames(factorNames) {
            try InfoMEC.continuous(sources: sources, latentColumns: columns,
                                   sourcesName: "dataset factors", latentsName: "latent values")
        }
        var report = try MetricsReport(factorNames: factorNames, infoMEC: result, latentKind: .continuous, samples: n,
                                       reconstruction: sample.reconstruction)
        report.chance = try chanceSeed.map {
            try InfoMEC.continuousChance(sources: sources, latentColumns: columns, seed: $0,
                                         sourcesName: "dataset factors", latentsName: "latent values")
        }
        report.dci = try DCI.compute(factors: sources, latentColumns: columns, seed: seed, factorNames: factorNames,
                                     sourcesName: "dataset factors")
        return report
    }
}

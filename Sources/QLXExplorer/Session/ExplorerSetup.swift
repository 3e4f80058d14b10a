import Foundation
import QLXData
import QLXMetrics
import QLXModel
import QLXRender

/// Builds a session from a checkpoint file: the model, its dataset (for samples and
/// metrics), the stored metrics, and the background evaluation.
public enum ExplorerSetup {
    public struct Options: Sendable {
        public var checkpointPath: String
        /// The checkpoint already loaded (e.g. a reference run); nil: read `checkpointPath`.
        public var checkpoint: Checkpoint?
        /// nil: the dataset named in the checkpoint (skipped quietly if qlx does not know it).
        public var datasetName: String?
        /// A dataset already opened (a file from --data); wins over datasetName.
        public var dataset: (any FactorDataset)?
        /// A dataset file for checkpoints trained on one ($QLX_DATA): used only when the
        /// checkpoint's dataset is not a procedural one.
        public var fallbackDataPath: String?
        /// Samples for the background metrics; 0 turns them off, and so does a stored report
        /// on at least this many samples.
        public var metricSamples: Int
        public var seed: UInt64
        public var exportDirectory: String
        /// Continuous models: how many quantiles of each latent's encoded values to step through.
        public var values: Int
        /// `qlx explore A B`: model B (same image shape and latent count), shown beside A.
        public var comparison: Checkpoint?
        public var comparisonPath: String?

        public init(checkpointPath: String, checkpoint: Checkpoint? = nil, datasetName: String? = nil,
                    dataset: (any FactorDataset)? = nil, fallbackDataPath: String? = nil,
                    metricSamples: Int = 2_000, seed: UInt64 = 0,
                    exportDirectory: String = FileManager.default.currentDirectoryPath, values: Int = 10,
                    comparison: Checkpoint? = nil, comparisonPath: String? = nil) {
            self.checkpointPath = checkpointPath
            self.checkpoint = checkpoint
            self.datasetName = datasetName
            self.dataset = dataset
            self.fallbackDataPath = fallbackDataPath
            self.metricSamples = metricSamples
            self.seed = seed
            self.exportDirectory = exportDirectory
            self.values = values
            self.comparison = comparison
            self.comparisonPath = comparisonPath
        }
    }

    public static func session(_ options: Options) throws -> ExplorerSession {
        let checkpoint = try options.checkpoint ?? Checkpoint.read(from: options.checkpointPath)
        let config = checkpoint.config
        let encoderModel = try checkpoint.model()
        let dataset = try matchingDataset(options.datasetName, opened: options.dataset,
                                          fallbackPath: options.fallbackDataPath, config: config)
        // Continuous latents step through quantiles of their encoded values; metrics stay
        // on the continuous model (the continuous estimator).
        let other = try options.comparison.map { try $0.model() }
        if let other {
            let b = other.config, name = options.comparisonPath ?? "the second model"
            guard b.image == config.image, b.latent.count == config.latent.count else {
                throw ExplorerError.emptyModel(reason: "\(name) has \(b.latent.count) latents on \(b.image) images, \(options.checkpointPath) \(config.latent.count) on \(config.image); side by side needs the same")
            }
            if b.latent.quantized && config.latent.quantized && b.latent.valuesPerLatent != config.latent.valuesPerLatent {
                throw ExplorerError.emptyModel(reason: "\(name) has \(b.latent.valuesPerLatent) values per latent, \(options.checkpointPath) \(config.latent.valuesPerLatent); one code must index both")
            }
        }
        // A continuous model beside a quantized one gets as many quantiles as it has values.
        let values = [config.latent, other?.config.latent].compactMap { $0 }.first(where: \.quantized)?.valuesPerLatent
            ?? options.values
        // The quantiles of a few images now, of the whole sample in the background.
        func refinement(_ model: QLAE, path: String) throws -> QuantileCodebooks.Refinement? {
            if model.config.latent.quantized { return nil }
            guard let dataset else {
                throw ExplorerError.emptyModel(reason: "\(path) has continuous latents and qlx has no dataset \(model.config.dataset.name) to place their values at quantiles; pass --data or use `qlx traverse`")
            }
            return try QuantileCodebooks.Refinement(model, dataset: dataset, values: values, seed: options.seed)
        }
        let refinements = [try refinement(encoderModel, path: options.checkpointPath),
                           try other.flatMap { try refinement($0, path: options.comparisonPath ?? "") }]
        let model = refinements[0]?.provisional ?? encoderModel
        let second = other.map { refinements[1]?.provisional ?? $0 }
        let name = Checkpoint.displayName(of:)
        var state = ExplorerState(
            checkpointName: name(options.checkpointPath) + (options.comparisonPath.map { " │ " + name($0) } ?? ""),
            datasetName: dataset?.name ?? config.dataset.name,
            factorNames: config.dataset.factorNames, codebooks: model.codebooks,
            sampleCount: dataset?.count ?? 0, unicode: true,
            renderModes: [.halfBlock], colorDepths: [.palette256],
            imageWidth: config.image.width * (second == nil ? 1 : 2) + (second == nil ? 0 : PairedImageSource.gap), imageHeight: config.image.height, seed: options.seed)
        let storedMetrics = MetricsReport.stored(in: checkpoint)
        let stored = storedMetrics.report.map { MetricsDisplay(report: $0, origin: .checkpoint) }
        state.metrics = stored
        if let warning = storedMetrics.warning { state.statusMessage = warning }
        if let comparison = options.comparison {
            state.comparisonName = options.comparisonPath ?? "B"
            state.comparisonMetrics = MetricsReport.stored(in: comparison).report.map { MetricsDisplay(report: $0, origin: .checkpoint) }
        }
        // A stored report on at least as many samples stays: a smaller live sample is the
        // worse estimate (InfoE's in-sample regression reads high on few samples), and
        // replacing the model card's figures with it would contradict them.
        // A dataset smaller than the sample asked for is used whole, each image once.
        let metricSamples = min(options.metricSamples, dataset?.count ?? 0)
        let job = dataset.flatMap { metricSamples >= 2 && metricSamples > (stored?.samples ?? 0)
            ? backgroundMetrics(model: encoderModel, dataset: $0, samples: metricSamples, seed: options.seed) : nil }
        let first = ModelImageSource(model: model, dataset: dataset)
        let source: ImageSource = second.map { PairedImageSource(first: first, second: ModelImageSource(model: $0, dataset: dataset)) } ?? first
        let session = ExplorerSession(state: state, source: source, metricsJob: job, exportDirectory: options.exportDirectory)
        session.codebookJob = codebookJob(refinements)
        if let other, let dataset, metricSamples >= 2, metricSamples > (state.comparisonMetrics?.samples ?? 0) {
            session.comparisonJob = backgroundMetrics(model: other, dataset: dataset, samples: metricSamples, seed: options.seed)
        }
        return session
    }

    /// One background job for the refinements (first model, second model): their codebooks
    /// in that order, nil for a quantized model; nil when both are quantized.
    static func codebookJob(_ refinements: [QuantileCodebooks.Refinement?]) -> BackgroundJob<[[[Float]]?]>? {
        let present = refinements.compactMap { $0 }
        guard !present.isEmpty else { return nil }
        return BackgroundJob(samples: present.map(\.samples).reduce(0, +)) { progress in
            var tables: [[[Float]]?] = []
            var done = 0
            for refinement in refinements {
                guard let refinement else {
                    tables.append(nil)
                    continue
                }
                let before = done, total = present.count
                tables.append(try refinement.work { progress((Double(before) + $0) / Double(total)) })
                done += 1
            }
            return tables
        }
    }

    /// The dataset to sample from: the one asked for (an error if unknown or if its images do
    /// not fit the model), else the checkpoint's if qlx knows it.
    static func matchingDataset(_ name: String?, opened: (any FactorDataset)? = nil, fallbackPath: String? = nil,
                                config: QLAEConfig) throws -> (any FactorDataset)? {
        let dataset: any FactorDataset
        if let opened {
            dataset = opened
        } else if let name {
            dataset = try Datasets.named(name)
        } else if let known = try? Datasets.named(config.dataset.name) {
            dataset = known
        } else if let fallbackPath {
            dataset = try Datasets.resolve(fallbackPath)
        } else {
            return nil
        }
        do {
            try dataset.checkImages(fit: config.image)
        } catch {
            if name == nil && opened == nil && fallbackPath == nil { return nil }
            throw error
        }
        return dataset
    }
}

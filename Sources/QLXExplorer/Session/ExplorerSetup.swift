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

        public init(checkpointPath: String, datasetName: String? = nil, dataset: (any FactorDataset)? = nil, fallbackDataPath: String? = nil,
                    metricSamples: Int = 2_000, seed: UInt64 = 0,
                    exportDirectory: String = FileManager.default.currentDirectoryPath) {
            self.checkpointPath = checkpointPath
            self.datasetName = datasetName
            self.dataset = dataset
            self.fallbackDataPath = fallbackDataPath
            self.metricSamples = metricSamples
            self.seed = seed
            self.exportDirectory = exportDirectory
        }
    }

    public static func session(_ options: Options) throws -> ExplorerSession {
        let checkpoint = try Checkpoint.read(from: options.checkpointPath)
        let config = checkpoint.config
        guard config.latent.quantized else {
            throw ExplorerError.emptyModel(reason: "\(options.checkpointPath) has continuous latents (no codebooks to step through); use `qlx traverse`")
        }
        let model = try checkpoint.model()
        let dataset = try matchingDataset(options.datasetName, opened: options.dataset,
                                          fallbackPath: options.fallbackDataPath, config: config)
        var state = ExplorerState(
            checkpointName: (options.checkpointPath as NSString).lastPathComponent,
            datasetName: dataset?.name ?? config.dataset.name,
            factorNames: config.dataset.factorNames, codebooks: model.codebooks,
            sampleCount: dataset?.count ?? 0, unicode: true,
            renderModes: [.halfBlock], colorDepths: [.palette256],
            imageWidth: config.image.width, imageHeight: config.image.height, seed: options.seed)
        let storedMetrics = MetricsReport.stored(in: checkpoint)
        let stored = storedMetrics.report.map { MetricsDisplay(report: $0, origin: .checkpoint) }
        state.metrics = stored
        if let warning = storedMetrics.warning { state.statusMessage = warning }
        // A stored report on at least as many samples stays: a smaller live sample is the
        // worse estimate (InfoE's in-sample regression reads high on few samples), and
        // replacing the model card's figures with it would contradict them.
        let job = dataset.flatMap { options.metricSamples > (stored?.samples ?? 0)
            ? backgroundMetrics(model: model, dataset: $0, samples: options.metricSamples, seed: options.seed) : nil }
        return ExplorerSession(state: state, source: ModelImageSource(model: model, dataset: dataset),
                               metricsJob: job, exportDirectory: options.exportDirectory)
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

import Foundation
import QLXCore
import QLXIO

/// A QLAE checkpoint: a safetensors file holding the model's parameters under their canonical
/// names (see `QLAE.parameterShapes(for:)`), optional extra tensors under "optimizer.*", the
/// `QLAEConfig` as JSON in the `__metadata__` key "qlx.config", and any further metadata keys
/// (e.g. "qlx.training_state", "qlx.metrics"). Format: docs/checkpoint-format.md.
public struct Checkpoint: Sendable {
    public var config: QLAEConfig
    /// Model parameters plus extras such as "optimizer.m.<param>" and "optimizer.v.<param>".
    public var tensors: [String: Tensor]
    /// `__metadata__` entries other than "qlx.config".
    public var metadata: [String: String]

    /// The `__metadata__` key holding the configuration JSON.
    public static let configKey = "qlx.config"
    /// Tensors whose names start with this are not model parameters (optimizer state).
    public static let extraTensorPrefix = "optimizer."

    public init(config: QLAEConfig, tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.config = config
        self.tensors = tensors
        self.metadata = metadata.filter { $0.key != Checkpoint.configKey }
    }

    /// The model's parameters plus `extraTensors` (which must be named "optimizer.*").
    public init(model: QLAE, extraTensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        precondition(extraTensors.keys.allSatisfy(Checkpoint.isExtraTensor),
                     "extra checkpoint tensors must be named \(Checkpoint.extraTensorPrefix)*, got \(extraTensors.keys.sorted())")
        self.init(config: model.config, tensors: model.parameters.merging(extraTensors) { $1 }, metadata: metadata)
    }

    public static func isExtraTensor(_ name: String) -> Bool { name.hasPrefix(extraTensorPrefix) }

    /// The tensors that are model parameters (everything not named "optimizer.*").
    public var modelTensors: [String: Tensor] { tensors.filter { !Checkpoint.isExtraTensor($0.key) } }

    /// Total number of scalars in the model parameters.
    public var parameterCount: Int { modelTensors.values.reduce(0) { $0 + $1.count } }

    /// Latent j's codebook values (empty for a model without quantization).
    public var codebooks: [[Float]] {
        guard let values = tensors["latent.values"], values.rank == 2 else { return [] }
        let nv = values.shape[1]
        return (0..<values.shape[0]).map { Array(values.data[$0 * nv..<($0 + 1) * nv]) }
    }

    /// Reads and fully checks a checkpoint: the safetensors container (F32, F16 or BF16), the
    /// configuration, and every model tensor's name, shape and finiteness against the
    /// architecture. Each problem is one ModelError line naming `path`.
    public static func read(from path: String) throws -> Checkpoint {
        let file = try SafetensorsFile.read(from: path)
        guard let json = file.metadata[configKey] else {
            throw ModelError.invalidConfig(path: path, reason: "__metadata__ has no \"\(configKey)\" key (not a qlx checkpoint?)")
        }
        let config = try decodeConfig(json, path: path)
        let checkpoint = Checkpoint(config: config, tensors: file.tensors, metadata: file.metadata)
        try checkpoint.validate(path: path)
        return checkpoint
    }

    /// Writes F32 tensors and the metadata atomically (temporary file + rename). Refuses a
    /// checkpoint that would not read back: an invalid configuration, or model tensors that
    /// are missing, unexpected, mis-shaped or not finite. An existing file at `path` is
    /// replaced only if it is of `kind` (nil: any file, `--force`).
    public func write(to path: String, replacing kind: AtomicFile.Kind? = SafetensorsFile.fileKind) throws {
        try validate(path: path)
        var allMetadata = metadata
        allMetadata[Checkpoint.configKey] = try Checkpoint.encodeConfig(config)
        try SafetensorsFile(tensors: tensors, metadata: allMetadata).write(to: path, replacing: kind)
    }

    /// Builds the model from the parameters (tensors named "optimizer.*" are ignored).
    public func model() throws -> QLAE {
        try QLAE(config: config, parameters: modelTensors)
    }

    /// Checks the configuration (architecture names and sizes) and the model tensors.
    /// `path` only labels the messages.
    public func validate(path: String?) throws {
        do { try config.validate() } catch let error as ModelError { throw error.labelled(path) }
        try Checkpoint.checkPresets(config, path: path)
        let shapes: [(name: String, shape: [Int])]
        do { shapes = try QLAE.parameterShapes(for: config) } catch let error as ModelError {
            throw error.labelled(path)
        }
        for (name, shape) in shapes {
            guard let tensor = tensors[name] else {
                throw ModelError.missingTensor(path: path, name: name, expectedShape: shape)
            }
            guard tensor.shape == shape else {
                throw ModelError.shapeMismatch(path: path, name: name, expected: shape, found: tensor.shape)
            }
            if !Checkpoint.allFinite(tensor.data), let index = tensor.data.firstIndex(where: { !$0.isFinite }) {
                throw ModelError.nonFinite(path: path, name: name, index: index)
            }
            if name == "latent.values" { try Quantizer.checkSpans(tensor, name: name, path: path) }
        }
        let known = Set(shapes.map(\.name))
        if let extra = tensors.keys.sorted().first(where: { !known.contains($0) && !Checkpoint.isExtraTensor($0) }) {
            throw ModelError.unexpectedTensor(path: path, name: extra)
        }
    }

    /// True when no value is NaN or ±Inf: an exponent of all ones, found with integer ops the
    /// compiler vectorises (adding 1 to the exponent field carries into the sign bit).
    static func allFinite(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer { buffer in
            var flags: UInt32 = 0
            for value in buffer { flags |= ((value.bitPattern & 0x7F80_0000) &+ 0x0080_0000) & 0x8000_0000 }
            return flags == 0
        }
    }

    // MARK: Configuration JSON

    /// Sorted keys so identical checkpoints are identical bytes.
    public static func encodeConfig(_ config: QLAEConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }

    /// The longest `qlx.config` JSON a checkpoint may hold.
    public static let maximumConfigBytes = 1 << 20

    public static func decodeConfig(_ json: String, path: String?) throws -> QLAEConfig {
        func fail(_ reason: String) -> ModelError {
            .invalidConfig(path: path, reason: "\(configKey): \(reason)")
        }
        // A configuration is under a kilobyte; a megabyte is far beyond any real one, and the
        // cap keeps a crafted one (a 99 MB string) from costing hundreds of MB to parse.
        guard json.utf8.count <= maximumConfigBytes else {
            throw fail("expected at most \(maximumConfigBytes) bytes of JSON, found \(json.utf8.count)")
        }
        do {
            // The strict parser first: it refuses duplicate keys (JSONDecoder keeps the first,
            // Python the last), as for the outer header.
            _ = try SafetensorsJSONParser.parse(json)
            return try JSONDecoder().decode(QLAEConfig.self, from: Data(json.utf8))
        } catch let error as SafetensorsJSONError {
            throw fail("not valid JSON at byte \(error.offset): \(error.reason)")
        } catch let error as DecodingError {
            throw fail(describe(error))
        } catch {
            throw fail(oneLine("\(error)"))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func field(_ path: [CodingKey]) -> String {
            path.isEmpty ? "top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = context.codingPath.isEmpty ? "" : " in \(field(context.codingPath))"
            return "missing field \(key.stringValue)\(at)"
        case .typeMismatch(let type, let context):
            return "\(field(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(field(context.codingPath)): expected \(type), found null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\(field(context.codingPath)): \(oneLine(context.debugDescription))"
        @unknown default:
            return oneLine("\(error)")
        }
    }

    private static func oneLine(_ text: String) -> String {
        escaped(text.split(whereSeparator: \.isNewline).joined(separator: " "))
    }

    /// Architecture names: a reference preset or "custom"; a decoder preset must also be of
    /// the decoder's kind.
    static func checkPresets(_ config: QLAEConfig, path: String?) throws {
        let encoder = config.encoder.preset
        guard encoder == "custom" || ArchitecturePreset.encoderNames.contains(encoder) else {
            throw ModelError.invalidConfig(path: path, reason: "unknown encoder architecture \(quoted(encoder)); expected one of \((ArchitecturePreset.encoderNames + ["custom"]).joined(separator: ", "))")
        }
        let decoder = config.decoder.preset
        guard decoder == "custom" || ArchitecturePreset.decoderNames.contains(decoder) else {
            throw ModelError.invalidConfig(path: path, reason: "unknown decoder architecture \(quoted(decoder)); expected one of \((ArchitecturePreset.decoderNames + ["custom"]).joined(separator: ", "))")
        }
        if let preset = ArchitecturePreset.encoder(named: encoder), preset.kind != config.encoder.kind {
            throw ModelError.invalidConfig(path: path, reason: "encoder preset \(encoder) is a \(preset.kind.rawValue) encoder, but kind is \(config.encoder.kind.rawValue)")
        }
        if let preset = ArchitecturePreset.decoder(named: decoder), preset.kind != config.decoder.kind {
            throw ModelError.invalidConfig(path: path, reason: "decoder preset \(decoder) is a \(preset.kind.rawValue) decoder, but kind is \(config.decoder.kind.rawValue)")
        }
    }
}

extension ModelError {
    /// The same error with `path` filled in where the case carries an optional path.
    func labelled(_ path: String?) -> ModelError {
        guard let path else { return self }
        switch self {
        case .missingTensor(nil, let name, let shape): return .missingTensor(path: path, name: name, expectedShape: shape)
        case .unexpectedTensor(nil, let name): return .unexpectedTensor(path: path, name: name)
        case .shapeMismatch(nil, let name, let expected, let found):
            return .shapeMismatch(path: path, name: name, expected: expected, found: found)
        case .nonFinite(nil, let name, let index): return .nonFinite(path: path, name: name, index: index)
        case .codebookTooWide(nil, let name, let latent, let value):
            return .codebookTooWide(path: path, name: name, latent: latent, value: value)
        case .invalidConfig(nil, let reason): return .invalidConfig(path: path, reason: reason)
        default: return self
        }
    }
}

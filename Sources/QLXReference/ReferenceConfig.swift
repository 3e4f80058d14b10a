import Foundation
import QLXIO
import Yams

/// A value of a YAML config.
public indirect enum ConfigValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ConfigValue])
    case map([String: ConfigValue])

    var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return quoted(s)
        case .list(let l): return "a list of \(l.count)"
        case .map: return "a mapping"
        }
    }
}

/// The resolved training config of a reference run, from wandb's `config.yaml` (every top-level
/// key as `{desc: ..., value: ...}`, plus wandb's `_wandb` and, from older wandb, a first line
/// `wandb_version: 1`) or Hydra's `.hydra/config.yaml`
/// (plain, with `${a.b}` interpolations, resolved here for whole-value references).
public struct ReferenceConfig: Sendable {
    public let path: String
    let root: [String: ConfigValue]

    public init(path: String) throws {
        let text: String
        do { text = try InputFile.text(path, limit: YAMLBounds.maximumBytes) } catch let error as FileReadError {
            throw ReferenceError.unreadableConfig(path: path, reason: error.reason)
        }
        try self.init(yaml: text, path: path)
    }

    public init(yaml: String, path: String) throws {
        try YAMLBounds.checkNesting(yaml, path: path)
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            let reason = "\(error)".split(separator: "\n").first.map(String.init) ?? "invalid YAML"
            throw ReferenceError.unreadableConfig(path: path, reason: escaped(reason))
        }
        var values = 0
        guard let node, case .map(var map) = try Self.convert(node, depth: 0, values: &values, path: path) else {
            throw ReferenceError.unreadableConfig(path: path, reason: "expected a mapping at the top level")
        }
        // wandb's form: unwrap {desc, value} entries and drop wandb's own keys: `_wandb`, and
        // the `wandb_version: 1` line that older wandb and `wandb restore` write first.
        let entries = map.filter { !$0.key.hasPrefix("_wandb") && $0.key != "wandb_version" }
        let isWandb = !entries.isEmpty && entries.values.allSatisfy {
            if case .map(let m) = $0 { return m["value"] != nil && Set(m.keys).isSubset(of: ["desc", "value"]) }
            return false
        }
        if isWandb {
            map = entries.mapValues { if case .map(let m) = $0 { return m["value"]! } else { return $0 } }
        }
        self.path = path
        self.root = map
    }

    /// A YAML node as a config value, from Yams' node tree rather than its `load` (which traps
    /// on a mapping key that is a list or a mapping, and follows tags qlx never needs). Scalars
    /// take the type their resolved tag names; a repeated key keeps its last value, as PyYAML.
    /// `values` counts the values made so far, within `YAMLBounds`' limits (an alias nests
    /// its anchor's node, depth and all).
    static func convert(_ node: Node, depth: Int, values: inout Int, path: String) throws -> ConfigValue {
        guard depth <= YAMLBounds.maximumDepth else {
            throw ReferenceError.unreadableConfig(path: path, reason: "nested deeper than \(YAMLBounds.maximumDepth) levels")
        }
        try YAMLBounds.countValue(&values, path: path)
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: return .null
            case .bool: if let value = node.bool { return .bool(value) }
            case .int: if let value = node.int { return .int(value) }
            case .float: if let value = node.float { return .double(value) }
            default: break
            }
            return .string(scalar.string)
        case .sequence(let items):
            return .list(try items.map { try convert($0, depth: depth + 1, values: &values, path: path) })
        case .mapping(let pairs):
            var map: [String: ConfigValue] = [:]
            for (key, value) in pairs {
                guard case .scalar(let name) = key else {
                    let line = key.mark.map { " on line \($0.line)" } ?? ""
                    throw ReferenceError.unreadableConfig(path: path, reason: "a mapping key\(line) is a list or a mapping; keys must be plain values")
                }
                map[name.string] = try convert(value, depth: depth + 1, values: &values, path: path)
            }
            return .map(map)
        }
    }

    /// The value at a dotted key ("model_partial.latent_partial.num_latents"), following
    /// whole-value interpolations such as "${encoder_partial}"; nil when absent.
    public func value(_ key: String) -> ConfigValue? {
        var current: ConfigValue = .map(root)
        var hops = 0
        for part in key.split(separator: ".") {
            current = resolve(current, hops: &hops)
            guard case .map(let m) = current, let next = m[String(part)] else { return nil }
            current = next
        }
        return resolve(current, hops: &hops)
    }

    private func resolve(_ v: ConfigValue, hops: inout Int) -> ConfigValue {
        var v = v
        while case .string(let s) = v, s.hasPrefix("${"), s.hasSuffix("}"), !s.dropFirst(2).contains("$"), hops < 32 {
            hops += 1
            let target = String(s.dropFirst(2).dropLast())
            var current: ConfigValue = .map(root)
            for part in target.split(separator: ".") {
                guard case .map(let m) = current, let next = m[String(part)] else { return v }
                current = next
            }
            v = current
        }
        return v
    }

    // Typed access: each throws one line naming the file and key.

    func string(_ key: String) throws -> String {
        guard let v = value(key) else { throw ReferenceError.missingConfigKey(path: path, key: key) }
        guard case .string(let s) = v else {
            throw ReferenceError.badConfigValue(path: path, key: key, expected: "a string", found: v.summary)
        }
        return s
    }

    func optionalString(_ key: String) -> String? {
        if case .string(let s)? = value(key) { return s }
        return nil
    }

    func int(_ key: String) throws -> Int {
        guard let v = value(key) else { throw ReferenceError.missingConfigKey(path: path, key: key) }
        if case .int(let i) = v { return i }
        if case .double(let d) = v, d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        throw ReferenceError.badConfigValue(path: path, key: key, expected: "an integer", found: v.summary)
    }

    func ints(_ key: String) throws -> [Int] {
        guard let v = value(key) else { throw ReferenceError.missingConfigKey(path: path, key: key) }
        guard case .list(let items) = v else {
            throw ReferenceError.badConfigValue(path: path, key: key, expected: "a list of integers", found: v.summary)
        }
        return try items.map {
            guard case .int(let i) = $0 else {
                throw ReferenceError.badConfigValue(path: path, key: key, expected: "a list of integers", found: $0.summary)
            }
            return i
        }
    }
}

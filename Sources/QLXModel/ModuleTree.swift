import QLXCore

/// A place in the model's module tree, spelled two ways: qlx's dotted parameter name
/// ("encoder.conv.0.norm") and the reference's PyTree path below its top-level module
/// (".conv.layers[0].layers[1]", as `jax.tree_util.keystr` prints it). Both grow field by field
/// as modules nest, the way mlx-swift's modules name their parameters; a field can add to one
/// spelling only (the reference's `Sequential` wrappers have no qlx name of their own).
public struct ModulePath: Sendable, Equatable {
    public let name: String
    public let reference: String

    public init(name: String, reference: String = "") {
        self.name = name
        self.reference = reference
    }

    /// The field below this one: `name` nil adds nothing to qlx's name; `reference` is appended
    /// as written (".weight", ".layers[2]", "[0]").
    func child(_ name: String?, _ reference: String) -> ModulePath {
        let qlx = name.map { self.name.isEmpty ? $0 : "\(self.name).\($0)" } ?? self.name
        return ModulePath(name: qlx, reference: self.reference + reference)
    }

    /// Field `field` of a reference `Sequential`-like list, item `index` (qlx: ".index").
    func item(_ field: String, _ index: Int) -> ModulePath { child("\(index)", ".\(field)[\(index)]") }
}

/// One stored value of the module tree, in the order the reference's modules declare their
/// fields (depth first): the order of qlx's parameters, of their initialisation, and of the
/// records in a reference checkpoint.
public struct ModuleLeaf: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        /// A float parameter, qlx's tensor `path.name`.
        case parameter(Parameter)
        /// An int field of a reference module (a shape it keeps), not a qlx parameter.
        case int(Int)
    }

    public struct Parameter: Sendable, Equatable {
        public let shape: [Int]
        /// How a fresh model sets it.
        public let initial: Initial
        /// In AdamW's decayed group (weights of convolutions and linear layers, the input map).
        public let decayed: Bool
        /// How the reference stores it.
        public let stored: StoredLayout
    }

    public enum Initial: Sendable, Equatable {
        /// Uniform in ±1/√fanIn, drawn in tree order from the model's seeded generator.
        case uniform(fanIn: Int)
        case constant(Float)
        /// linspace(−0.5, 0.5, n_v) in every row.
        case codebook
    }

    public enum StoredLayout: Sendable, Equatable {
        case same
        /// A transposed-conv weight: the reference's [out, in, kH, kW] with the kernel rotated
        /// by 180° is qlx's [in, out, kH, kW] (Equinox applies the flipped kernel of a dilated
        /// convolution; qlx, like PyTorch, scatters it unflipped).
        case transposedKernel
    }

    public let path: ModulePath
    public let value: Value

    /// The parameter's description, nil for an int field.
    public var parameter: Parameter? {
        if case .parameter(let p) = value { return p }
        return nil
    }
}

/// Collects the leaves of modules as they are built, in field order.
struct ModuleTreeBuilder {
    var leaves: [ModuleLeaf] = []

    mutating func parameter(_ path: ModulePath, _ shape: [Int], _ initial: ModuleLeaf.Initial, decayed: Bool,
                            stored: ModuleLeaf.StoredLayout = .same) -> String {
        leaves.append(ModuleLeaf(path: path, value: .parameter(.init(shape: shape, initial: initial, decayed: decayed,
                                                                        stored: stored))))
        return path.name
    }

    /// A reference module's shape tuple, one int leaf per entry ("[0]", "[1]", …).
    mutating func ints(_ path: ModulePath, _ values: [Int]) {
        for (i, v) in values.enumerated() { leaves.append(ModuleLeaf(path: path.child(nil, "[\(i)]"), value: .int(v))) }
    }
}

/// The parameters a forward or backward pass reads, by name.
struct ParameterSet {
    let tensors: [String: Tensor]
    subscript(_ name: String) -> Tensor {
        guard let t = tensors[name] else { preconditionFailure("missing parameter \(name)") }
        return t
    }
}

/// Shape of a feature map without its batch: channels, height, width.
struct MapShape: Sendable, Equatable {
    var channels: Int
    var height: Int
    var width: Int
    var count: Int { channels * height * width }
}

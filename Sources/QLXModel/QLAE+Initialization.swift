import QLXCore

extension QLAE {
    /// Equinox's default initialisation: every weight and bias uniform in ±1/√fan_in, where
    /// fan_in is the layer's input features (linear) or in_channels·k·k (conv and
    /// transposed conv alike); norm affines γ = 1, β = 0; codebooks linspace(−0.5, 0.5, n_v);
    /// the style decoder's input map 0.1. Parameters are drawn in tree order from one seeded
    /// generator, so a seed always gives the same model.
    static func initialParameters(_ a: QLAEArchitecture, seed: UInt64) -> [String: Tensor] {
        var rng = SeededGenerator(seed: seed)
        var p: [String: Tensor] = [:]
        for leaf in a.tree.leaves {
            guard let parameter = leaf.parameter else { continue }
            let shape = parameter.shape
            let count = shape.reduce(1, *)
            switch parameter.initial {
            case .uniform(let fanIn):
                let limit = 1 / Float(fanIn).squareRoot()
                var data = [Float](repeating: 0, count: count)
                for i in 0..<count { data[i] = (2 * rng.nextUnitFloat() - 1) * limit }
                p[leaf.path.name] = Tensor(shape: shape, data: data)
            case .constant(let value):
                p[leaf.path.name] = Tensor(shape: shape, repeating: value)
            case .codebook:
                let nv = shape[1]
                let row = (0..<nv).map { nv == 1 ? Float(0) : Float(-0.5 + Double($0) / Double(nv - 1)) }
                p[leaf.path.name] = Tensor(shape: shape, data: Array((0..<shape[0]).map { _ in row }.joined()))
            }
        }
        return p
    }
}

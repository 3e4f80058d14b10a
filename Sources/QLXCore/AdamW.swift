#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Adam with decoupled weight decay as optax composes it for QLAE: on the *decayed* group
/// (weights) gradients are first clipped element-wise to [−clip, clip], then
/// p ← p − lr·(m̂/(√v̂ + ε) + wd·p); the other group (biases, norm affines, codebooks) gets
/// plain Adam, p ← p − lr·m̂/(√v̂ + ε), unclipped. m̂, v̂ are the bias-corrected moments.
/// The state (m and v per parameter name, plus the step count) can be exported and restored
/// so that a resumed run continues bit-exactly.
public struct AdamW: Sendable {
    public struct Hyperparameters: Codable, Equatable, Sendable {
        public var learningRate: Float
        public var beta1: Float
        public var beta2: Float
        public var epsilon: Float
        public var weightDecay: Float
        /// Element-wise gradient clip on the decayed group; nil for none.
        public var clip: Float?

        public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                    epsilon: Float = 1e-8, weightDecay: Float = 0.1, clip: Float? = 1) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
            self.clip = clip
        }
    }

    public var hyperparameters: Hyperparameters
    /// Number of updates applied so far.
    public private(set) var step: Int
    public private(set) var firstMoments: [String: Tensor]
    public private(set) var secondMoments: [String: Tensor]

    public init(hyperparameters: Hyperparameters = Hyperparameters()) {
        self.hyperparameters = hyperparameters
        self.step = 0
        self.firstMoments = [:]
        self.secondMoments = [:]
    }

    /// Restores a state exported by `stateTensors`. Every parameter in `parameterShapes` must
    /// have both moments with its shape, unless `step` is 0.
    public init(hyperparameters: Hyperparameters = Hyperparameters(), stateTensors: [String: Tensor], step: Int,
                parameterShapes: [String: [Int]]) throws {
        guard step >= 0 else { throw CoreError.invalidOptimizerState(reason: "expected a step count ≥ 0, found \(step)") }
        self.init(hyperparameters: hyperparameters)
        self.step = step
        if step == 0 && stateTensors.isEmpty { return }
        for (name, shape) in parameterShapes {
            for (prefix, isFirst) in [("m.", true), ("v.", false)] {
                guard let t = stateTensors[prefix + name] else {
                    throw CoreError.invalidOptimizerState(reason: "missing tensor \(prefix + name) (expected shape \(shape))")
                }
                guard t.shape == shape else {
                    throw CoreError.invalidOptimizerState(reason: "tensor \(prefix + name): expected shape \(shape), found \(t.shape)")
                }
                if let bad = t.data.firstIndex(where: { !$0.isFinite || (!isFirst && $0 < 0) }) {
                    throw CoreError.invalidOptimizerState(reason: "tensor \(prefix + name): invalid value \(t.data[bad]) at element \(bad)")
                }
                if isFirst { firstMoments[name] = t } else { secondMoments[name] = t }
            }
        }
        let known = Set(parameterShapes.keys.flatMap { ["m." + $0, "v." + $0] })
        if let extra = stateTensors.keys.sorted().first(where: { !known.contains($0) }) {
            throw CoreError.invalidOptimizerState(reason: "tensor \(extra) does not belong to any parameter")
        }
    }

    /// m and v per parameter as "m.<name>" and "v.<name>".
    public var stateTensors: [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, m) in firstMoments { out["m." + name] = m }
        for (name, v) in secondMoments { out["v." + name] = v }
        return out
    }

    /// Applies one update to every parameter that has a gradient.
    public mutating func update(_ parameters: inout [String: Tensor], gradients: [String: Tensor],
                                isDecayed: (String) -> Bool) {
        step += 1
        let h = hyperparameters
        let t = Double(step)
        let correction1 = Float(1 - pow(Double(h.beta1), t))
        let correction2 = Float(1 - pow(Double(h.beta2), t))
        for name in gradients.keys.sorted() {
            let gradient = gradients[name]!
            guard var p = parameters[name] else { preconditionFailure("gradient for unknown parameter \(name)") }
            precondition(p.shape == gradient.shape, "gradient \(name) shape \(gradient.shape) vs parameter \(p.shape)")
            var m = firstMoments[name] ?? Tensor(zeros: p.shape)
            var v = secondMoments[name] ?? Tensor(zeros: p.shape)
            let decayed = isDecayed(name)
            let clip = decayed ? h.clip : nil
            let decay = decayed ? h.weightDecay : 0
            // Release the dictionary's references so the element loops mutate in place.
            parameters[name] = nil; firstMoments[name] = nil; secondMoments[name] = nil
            p.data.withUnsafeMutableBufferPointer { pp in
                m.data.withUnsafeMutableBufferPointer { mp in
                    v.data.withUnsafeMutableBufferPointer { vp in
                        gradient.data.withUnsafeBufferPointer { gp in
                            // Element-wise, so split across cores: a step's update is otherwise a
                            // serial stretch between two parallel passes (a square root and a
                            // division per parameter).
                            Parallel.forRanges(count: pp.count, minimumPerThread: 1 << 13) { range in
                                for i in range {
                                    var g = gp[i]
                                    if let clip { g = min(max(g, -clip), clip) }
                                    let mi = h.beta1 * mp[i] + (1 - h.beta1) * g
                                    let vi = h.beta2 * vp[i] + (1 - h.beta2) * g * g
                                    mp[i] = mi
                                    vp[i] = vi
                                    let mHat = mi / correction1
                                    let vHat = vi / correction2
                                    let u = mHat / (vHat.squareRoot() + h.epsilon) + decay * pp[i]
                                    pp[i] -= h.learningRate * u
                                }
                            }
                        }
                    }
                }
            }
            parameters[name] = p; firstMoments[name] = m; secondMoments[name] = v
        }
    }
}

/// An animation over latent values for demos: one latent swept back and forth, or every
/// latent swept in turn (each returns to its value before the next starts).
public struct Tour: Equatable, Sendable {
    public enum Scope: Equatable, Sendable { case selected, all }

    public let scope: Scope
    /// The latents to sweep, in order.
    public let latents: [Int]
    /// Which of `latents` is sweeping now.
    public private(set) var position: Int
    /// The value the current latent had before its sweep (restored after it in `.all`).
    public private(set) var savedValue: Int
    /// Steps taken in the current sweep.
    public private(set) var step: Int

    init(scope: Scope, latents: [Int], startValue: Int) {
        self.scope = scope
        self.latents = latents
        self.position = 0
        self.savedValue = startValue
        self.step = 0
    }

    public var latent: Int { latents[position] }

    /// Moves one frame on: returns the code after it. `.selected` ping-pongs 0 → n−1 → 0
    /// forever; `.all` sweeps 0 → n−1 on each latent, restores it and goes to the next.
    mutating func advance(code: [Int], valuesPerLatent n: Int) -> [Int] {
        var code = code
        guard n > 1 else { return code }
        switch scope {
        case .selected:
            let period = 2 * (n - 1)
            let phase = step % period
            code[latent] = phase < n ? phase : period - phase
            step += 1
        case .all:
            if step >= n {
                code[latent] = savedValue
                position = (position + 1) % latents.count
                savedValue = code[latent]
                step = 0
            }
            code[latent] = step
            step += 1
        }
        return code
    }
}

import Foundation
import QLXModel

/// Turns training events into progress text. On a terminal: one line redrawn in place after
/// every step (`\r` + erase to end of line), evaluations and checkpoints printed above it.
/// Otherwise (a log file): a line at the first step, at every 5 % of the run, at the last
/// step and at least once a minute, so a background run's log stays short but shows it is alive.
public final class ProgressReporter {
    private let interactive: Bool
    private let write: (String) -> Void
    private let now: () -> Double
    private let firstStep: Int
    private let startTime: Double
    private var lastLineTime: Double
    private var lastLineStep: Int
    private var lastPercentile = -1
    // Interactive: exponential moving averages; plain: sums since the last line.
    private var smoothed: LossTerms?
    private var windowLoss = (reconstruction: 0.0, quantization: 0.0, commitment: 0.0, count: 0)
    private var lineIsOpen = false
    public var plainInterval: Double = 60

    /// `write` receives text to append to stderr; `now` returns seconds (injectable for tests).
    public init(startingAt stepsDone: Int, interactive: Bool, write: @escaping (String) -> Void,
                now: @escaping () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.interactive = interactive
        self.write = write
        self.now = now
        firstStep = stepsDone
        startTime = now()
        lastLineTime = startTime
        lastLineStep = stepsDone
    }

    public func handle(_ event: TrainingEvent) {
        switch event {
        case .step(let step, let total, let loss, _, let images):
            record(loss)
            let time = now()
            let percentile = total > 0 ? step * 20 / total : 20
            let rate = Double(step - firstStep) / max(time - startTime, 1e-9)
            if interactive {
                let line = Self.line(step: step, total: total, stepsPerSecond: rate, batchSize: images,
                                     loss: smoothed!, eta: Double(total - step) / max(rate, 1e-9))
                write("\r" + line + "\u{1B}[K")
                lineIsOpen = true
            } else if step == firstStep + 1 || step == total || percentile > lastPercentile
                        || time - lastLineTime >= plainInterval {
                let windowRate = Double(step - lastLineStep) / max(time - lastLineTime, 1e-9)
                let n = Double(max(windowLoss.count, 1))
                let mean = LossTerms(reconstruction: Float(windowLoss.reconstruction / n),
                                     quantization: Float(windowLoss.quantization / n),
                                     commitment: Float(windowLoss.commitment / n), total: 0)
                write(Self.line(step: step, total: total, stepsPerSecond: windowRate, batchSize: images,
                                loss: mean, eta: Double(total - step) / max(rate, 1e-9)) + "\n")
                windowLoss = (0, 0, 0, 0)
                lastLineTime = time
                lastLineStep = step
            }
            lastPercentile = max(lastPercentile, percentile)
        case .evaluation(let evaluation):
            printAbove(evaluation.summary)
        case .checkpoint(let path, let step):
            printAbove("saved checkpoint at step \(step) to \(path)")
        case .note(let text):
            printAbove(text)
        }
    }

    /// Ends an open progress line so later output starts on a fresh line.
    public func finish() {
        if lineIsOpen { write("\n"); lineIsOpen = false }
    }

    private func printAbove(_ text: String) {
        write((lineIsOpen ? "\r\u{1B}[K" : "") + text + "\n")
        lineIsOpen = false
    }

    private func record(_ loss: LossTerms) {
        if let previous = smoothed {
            let a: Float = 0.05
            smoothed = LossTerms(reconstruction: previous.reconstruction + a * (loss.reconstruction - previous.reconstruction),
                                 quantization: previous.quantization + a * (loss.quantization - previous.quantization),
                                 commitment: previous.commitment + a * (loss.commitment - previous.commitment),
                                 total: previous.total + a * (loss.total - previous.total))
        } else {
            smoothed = loss
        }
        windowLoss.reconstruction += Double(loss.reconstruction)
        windowLoss.quantization += Double(loss.quantization)
        windowLoss.commitment += Double(loss.commitment)
        windowLoss.count += 1
    }

    /// "step 1200/20000  6.0%  3.41 steps/s  218 img/s  BCE 0.05123  quant 0.001230  commit 0.001230  ETA 1h31m"
    public static func line(step: Int, total: Int, stepsPerSecond: Double, batchSize: Int, loss: LossTerms,
                            eta: Double) -> String {
        let percent = total > 0 ? 100 * Double(step) / Double(total) : 100
        return String(format: "step %ld/%ld %5.1f%%  %.2f steps/s  %.0f img/s  BCE %.5f  quant %.6f  commit %.6f  ETA ",
                      step, total, percent, stepsPerSecond, stepsPerSecond * Double(batchSize),
                      loss.reconstruction, loss.quantization, loss.commitment) + duration(eta)
    }

    /// Compact duration: "45s", "12m05s", "3h07m".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e15 else { return "--" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%ldm%02lds", s / 60, s % 60) }
        return String(format: "%ldh%02ldm", s / 3600, (s % 3600) / 60)
    }
}

import Foundation
import QLXCore
import QLXRender

/// Decodes (and encodes dataset samples) on a background thread when that would hold up a
/// key for longer than a frame. Only the newest request of each kind matters: a request
/// replaces any queued one (the user has moved on). Results come back through `collect()`,
/// which the event loop calls between frames.
final class DecodeWorker: @unchecked Sendable {
    struct Decoded { var codes: [[Int]]; var images: [RenderImage]; var milliseconds: Double }
    struct Sampled { var index: Int; var sample: Result<DatasetSample, any Error>; var milliseconds: Double }

    private let source: ImageSource
    private let condition = NSCondition()
    private var queuedBatches: [[[Int]]] = []
    private var queuedSample: Int?
    private var decoded: [Decoded] = []
    private var sampled: [Sampled] = []
    private var busy = false
    private var started = false

    init(source: ImageSource) { self.source = source }

    /// Replaces the queued decodes with `batches` (each decoded in one pass, in order).
    func submit(_ batches: [[[Int]]]) {
        condition.withLock {
            queuedBatches = batches.filter { !$0.isEmpty }
            startIfNeeded()
            condition.signal()
        }
    }

    /// Replaces the queued sample with `index` (encoded before any queued decode).
    func submitSample(_ index: Int) {
        condition.withLock {
            queuedSample = index
            startIfNeeded()
            condition.signal()
        }
    }

    /// True while something is queued, running, or finished but not collected.
    var isPending: Bool {
        condition.withLock { busy || !queuedBatches.isEmpty || queuedSample != nil || !decoded.isEmpty || !sampled.isEmpty }
    }

    /// Results finished since the last call.
    func collect() -> (decoded: [Decoded], sampled: [Sampled]) {
        condition.withLock {
            defer {
                decoded.removeAll()
                sampled.removeAll()
            }
            return (decoded, sampled)
        }
    }

    private enum Job { case decode([[Int]]), sample(Int) }

    /// Call with the lock held.
    private func startIfNeeded() {
        guard !started else { return }
        started = true
        let thread = Thread { [self] in
            // Below the UI thread, so drawing and keys come first on a busy machine.
            BackgroundTeam.lowerCurrentThread(to: 5)
            while true {
                condition.lock()
                while queuedBatches.isEmpty && queuedSample == nil { condition.wait() }
                let job: Job
                if let index = queuedSample {
                    job = .sample(index)
                    queuedSample = nil
                } else {
                    job = .decode(queuedBatches.removeFirst())
                }
                busy = true
                condition.unlock()

                let began = Date()
                switch job {
                case .decode(let codes):
                    let images = source.decode(codes: codes)
                    let result = Decoded(codes: codes, images: images, milliseconds: Date().timeIntervalSince(began) * 1000)
                    condition.withLock { decoded.append(result) }
                case .sample(let index):
                    let sample = Result { try source.sample(at: index) }
                    let result = Sampled(index: index, sample: sample, milliseconds: Date().timeIntervalSince(began) * 1000)
                    condition.withLock { sampled.append(result) }
                }
                condition.withLock { busy = false }
            }
        }
        thread.qualityOfService = QualityOfService.userInitiated
        thread.stackSize = 16 << 20
        thread.start()
    }
}

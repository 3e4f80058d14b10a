import Foundation
import QLXRender

/// Decodes on a background thread when a decode would hold up a key for longer than a frame.
/// Only the newest request matters: a request replaces any queued one (the user has moved
/// on), and results come back through `collect()`, which the event loop calls between frames.
final class DecodeWorker: @unchecked Sendable {
    private let source: ImageSource
    private let condition = NSCondition()
    private var queued: [[[Int]]] = []
    private var finished: [(codes: [[Int]], images: [RenderImage], milliseconds: Double)] = []
    private var busy = false
    private var thread: Thread?

    init(source: ImageSource) { self.source = source }

    /// Replaces what is queued with `batches` (each decoded in one pass, in order).
    func submit(_ batches: [[[Int]]]) {
        condition.lock()
        queued = batches.filter { !$0.isEmpty }
        if thread == nil { startThread() }
        condition.signal()
        condition.unlock()
    }

    /// True while something is queued or being decoded.
    var isPending: Bool {
        condition.lock()
        defer { condition.unlock() }
        return busy || !queued.isEmpty || !finished.isEmpty
    }

    /// Results finished since the last call.
    func collect() -> [(codes: [[Int]], images: [RenderImage], milliseconds: Double)] {
        condition.lock()
        defer { condition.unlock() }
        let results = finished
        finished.removeAll()
        return results
    }

    private func startThread() {
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while queued.isEmpty { condition.wait() }
                let batch = queued.removeFirst()
                busy = true
                condition.unlock()

                let started = Date()
                let images = source.decode(codes: batch)
                let milliseconds = Date().timeIntervalSince(started) * 1000

                condition.lock()
                finished.append((batch, images, milliseconds))
                busy = false
                condition.unlock()
            }
        }
        thread.qualityOfService = .userInteractive
        thread.stackSize = 16 << 20
        thread.start()
        self.thread = thread
    }
}

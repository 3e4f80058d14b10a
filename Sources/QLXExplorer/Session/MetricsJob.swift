import Foundation
import QLXCore

/// The background metrics.
public typealias MetricsJob = BackgroundJob<MetricsDisplay>

/// Work on a dataset sample on a background thread (the metrics, a continuous model's
/// quantile codebooks); the event loop polls it between frames, so no frame ever waits for it
/// (the lock is only held to copy a few numbers).
public final class BackgroundJob<Output: Sendable>: @unchecked Sendable {
    public typealias Work = @Sendable (_ progress: @escaping @Sendable (Double) -> Void) throws -> Output
    /// A slower second step that adds to the first result, which is shown meanwhile. It handles
    /// its own failures (returning what should stay on screen): the first result is not lost.
    public typealias FollowUp = @Sendable (_ first: Output, _ progress: @escaping @Sendable (Double) -> Void) -> Output

    public let samples: Int
    private let work: Work
    private let followUp: FollowUp?
    private let lock = NSLock()
    private var fraction = 0.0
    private var result: Output?
    private var failure: String?
    private var started: Date?
    private var finishedSeconds: Double?
    /// Bumped on every change, so pollers know when to redraw.
    private var version = 0

    public init(samples: Int, work: @escaping Work, followUp: FollowUp? = nil) {
        self.samples = samples
        self.work = work
        self.followUp = followUp
    }

    public func start() {
        lock.withLock { started = Date() }
        let thread = Thread { [self] in
            BackgroundTeam.lowerCurrentThread()
            do {
                let display = try work { fraction in self.update { self.fraction = min(max(fraction, 0), 1) } }
                update {
                    self.result = display
                    self.finishedSeconds = Date().timeIntervalSince(self.started ?? Date())
                }
                if let followUp {
                    let next = followUp(display) { _ in }
                    update { self.result = next }
                }
            } catch {
                update { self.failure = "\(error)" }
            }
        }
        thread.qualityOfService = QualityOfService.utility
        thread.stackSize = 16 << 20
        thread.start()
    }

    private func update(_ change: () -> Void) {
        lock.withLock {
            change()
            version += 1
        }
    }

    /// A snapshot: progress, the result once there is one, and a change counter.
    public func poll() -> (progress: MetricsProgress, result: Output?, version: Int) {
        lock.withLock {
            if let failure { return (.failed(failure), nil, version) }
            if let result { return (.finished(seconds: finishedSeconds ?? 0), result, version) }
            if started == nil { return (.notStarted, nil, version) }
            return (.running(fraction: fraction, samples: samples), nil, version)
        }
    }

    /// Blocks until the job ends (for tests and benchmarks, never the UI).
    public func wait(timeout: TimeInterval) -> Output? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let snapshot = poll()
            if case .failed = snapshot.progress { return nil }
            if let result = snapshot.result { return result }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nil
    }
}

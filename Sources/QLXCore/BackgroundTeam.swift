import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Threads below the interactive threads' priority that share a background job's coarse tasks
/// with the job's own thread. `Parallel`'s task team runs at the priority of whoever started
/// it (the UI, in the explorer), so a background job that splits its work there competes with
/// the UI's frames for both cores; on these threads it uses every core while the UI is idle
/// and gives way to it when a key arrives (`qlx bench --only explorer`, the interventions).
public final class BackgroundTeam: @unchecked Sendable {
    private let condition = NSCondition()
    private var body: ((Int) -> Void)?
    private var mode: UInt64 = 0
    private var count = 0
    private var next = 0
    private var finished = 0
    private var stopping = false

    /// The nice value of background jobs (figures, interventions): well below the UI and the
    /// decoder, since figures may wait and frames may not.
    public static let niceness: Int32 = 10

    /// Lowers the calling thread's priority to `niceness` (Linux's per-thread nice value,
    /// 0 … 19; higher yields more; elsewhere nothing). A thread cannot raise it back.
    public static func lowerCurrentThread(to niceness: Int32 = niceness) {
        #if os(Linux)
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
    }

    /// Starts `helpers` threads at `niceness`. The job's own thread should run at the same
    /// niceness (`lowerCurrentThread`).
    public init(helpers: Int = max(0, Parallel.threadCount - 1), niceness: Int32 = niceness) {
        for _ in 0..<max(0, helpers) {
            let thread = Thread { [self] in
                Self.lowerCurrentThread(to: niceness)
                work()
            }
            thread.qualityOfService = .utility
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    /// Ends the helper threads once they finish what they are running (they hold the team
    /// until then).
    public func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
    }

    /// Calls `body(i)` for every i in 0..<count, each i a task that the calling thread and the
    /// helpers take in turn, with the caller's floating-point mode; returns when all have
    /// finished. One call at a time.
    public func forEachTask(count: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            condition.withLock {
                precondition(self.body == nil, "BackgroundTeam.forEachTask is not reentrant")
                self.body = body
                self.mode = SubnormalFlush.currentControlWord
                self.count = count
                next = 0
                finished = 0
                condition.broadcast()
            }
            while let index = claim() {
                body(index)
                finish()
            }
            condition.withLock {
                while finished < count { condition.wait() }
                self.body = nil
            }
        }
    }

    private func claim() -> Int? {
        condition.withLock {
            guard body != nil, next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    private func finish() {
        condition.withLock {
            finished += 1
            if finished == count { condition.broadcast() }
        }
    }

    private func work() {
        while true {
            condition.lock()
            while !stopping && (body == nil || next >= count) { condition.wait() }
            if stopping {
                condition.unlock()
                return
            }
            let (index, mode) = (next, self.mode)
            next += 1
            condition.unlock()
            run(index, mode: mode)
            finish()
        }
    }

    /// Runs one task, holding the body only until it returns: the caller's
    /// `withoutActuallyEscaping` traps if a helper still holds it once the last task finished.
    @inline(never)
    private func run(_ index: Int, mode: UInt64) {
        let task = condition.withLock { body! }
        SubnormalFlush.withControlWord(mode) { task(index) }
    }
}

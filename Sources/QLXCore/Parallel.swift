import CTaskTeam
import Dispatch

/// Splits independent loop iterations across the machine's cores. Memory-bound passes
/// (im2col, normalisation, activations) would otherwise run on one core while OpenBLAS
/// uses all of them for the matrix products.
public enum Parallel {
    /// Worker count; defaults to the number of active processors.
    nonisolated(unsafe) public static var threadCount: Int = ProcessInfoShim.activeProcessorCount

    /// Calls `body(i)` for every i in 0..<count, in contiguous chunks on up to `threadCount`
    /// threads. Iterations must not write to shared memory that another iteration touches.
    /// Workers run with the caller's floating-point mode (see `SubnormalFlush`).
    /// Runs inline when there is one thread or fewer than `minimumPerThread` iterations each.
    @inline(__always)
    public static func forEach(count: Int, minimumPerThread: Int = 1, _ body: (Int) -> Void) {
        let workers = min(availableThreads, count / max(minimumPerThread, 1))
        if workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        onWorkers(workers) { worker in
            for i in (count * worker / workers)..<(count * (worker + 1) / workers) { body(i) }
        }
    }
}

extension Parallel {
    /// Runs `body` with every `Parallel` loop it starts on this thread run inline: for one
    /// share of work that its caller has already split across the cores (see
    /// `forEachTask`), where nested splitting would only queue behind the other shares.
    @inline(__always)
    public static func serially<R>(_ body: () throws -> R) rethrows -> R {
        qlx_task_team_enter_serial()
        defer { qlx_task_team_leave_serial() }
        return try body()
    }

    /// `threadCount`, or 1 inside `serially`.
    @inline(__always)
    static var availableThreads: Int { qlx_task_team_is_serial() != 0 ? 1 : threadCount }
}

extension Parallel {
    /// Splits 0..<count into up to `threadCount` contiguous ranges and calls `body` once per
    /// range, concurrently, with the caller's floating-point mode. For element-wise passes
    /// where a call per element would cost more than the work.
    @inline(__always)
    public static func forRanges(count: Int, minimumPerThread: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
        let workers = min(availableThreads, count / max(minimumPerThread, 1))
        if workers <= 1 {
            body(0..<count)
            return
        }
        onWorkers(workers) { worker in body((count * worker / workers)..<(count * (worker + 1) / workers)) }
    }
}

extension Parallel {
    /// Calls `body(i)` for every i in 0..<count, each i a task the cores take in turn (no fixed
    /// halves), with the caller's floating-point mode. For a few coarse tasks, such as the
    /// blocks of a matrix product: when the machine is shared, a core that is held up takes
    /// fewer tasks instead of holding up the whole call.
    public static func forEachTask(count: Int, _ body: (Int) -> Void) {
        if availableThreads <= 1 || count <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        onWorkers(count, body)
    }

    /// `body(i)` for every i in 0..<iterations, concurrently, each with the caller's
    /// floating-point mode (see `SubnormalFlush`); returns when all have finished. Runs on the
    /// task team (CTaskTeam: helper threads that stay awake for 200 µs after each job, so a
    /// batch-1 decode's dozens of short parallel steps do not each wait for a parked thread to
    /// wake), or on the dispatch pool when the team is busy (a nested or concurrent call).
    static func onWorkers(_ iterations: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var job = TeamJob(body: body, mode: SubnormalFlush.currentControlWord)
            let helpers = Int32(min(threadCount, iterations) - 1)
            let ran = withUnsafeMutablePointer(to: &job) { job in
                qlx_task_team_run(iterations, helpers, { context, index in
                    let job = context!.assumingMemoryBound(to: TeamJob.self)
                    SubnormalFlush.withControlWord(job.pointee.mode) { job.pointee.body(index) }
                }, job)
            }
            if ran != 0 { return }
            let box = UncheckedBox(body)
            let mode = job.mode
            DispatchQueue.concurrentPerform(iterations: iterations) { i in
                SubnormalFlush.withControlWord(mode) { box.value(i) }
            }
        }
    }
}

/// What a task-team job's threads call: the body and the caller's floating-point mode.
private struct TeamJob {
    let body: (Int) -> Void
    let mode: UInt64
}

/// Carries a non-Sendable value into `concurrentPerform`; `Parallel.forEach` documents why
/// that is safe (disjoint iterations, the call returns only when all have finished).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

public enum ProcessInfoShim {
    public static var activeProcessorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

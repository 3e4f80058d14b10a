import Synchronization
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// SIGINT/SIGTERM handling for long runs: the handler only records the signal (an atomic
/// store is async-signal-safe); the training loop polls `received` between steps, saves a
/// checkpoint and exits 128 + signal. The handler restores the default action, so a second
/// Ctrl-C ends the process at once.
public enum StopSignals {
    private static let lastSignal = Atomic<Int32>(0)

    public static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { received in
                StopSignals.lastSignal.store(received, ordering: .relaxed)
                signal(received, SIG_DFL)
            }
        }
    }

    /// The signal that asked us to stop, or nil.
    public static var received: Int32? {
        let value = lastSignal.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// The shell convention for a process ended by `signal`: 130 for SIGINT, 143 for SIGTERM.
    public static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }
}

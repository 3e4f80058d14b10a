import Synchronization
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The one signal policy of long runs: SIGINT (Ctrl-C), SIGTERM (kill, systemd), SIGHUP (the
/// terminal went away: a closed tmux pane, a dropped SSH session) and SIGQUIT (Ctrl-\) all
/// mean "save and stop". The handler only records the signal (an atomic store is
/// async-signal-safe); the training loop polls `received` between steps, saves a checkpoint
/// and exits 128 + signal. The handler restores the default action, so a second signal of the
/// same kind ends the process at once. SIGQUIT joins the others rather than keeping its
/// default: the Swift runtime answers it with a crash report (and, in a terminal, a prompt
/// that freezes the run) while training goes on, which helps no one.
public enum StopSignals {
    public static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    private static let lastSignal = Atomic<Int32>(0)

    /// Also ignores SIGPIPE: a reader that went away with the terminal (`qlx train | tee log`)
    /// must not end the run before its save; writes to it then fail and are dropped.
    public static func install() {
        signal(SIGPIPE, SIG_IGN)
        for sig in handled {
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

    /// The shell convention for a process ended by `signal`: 130 for SIGINT, 143 for SIGTERM,
    /// 129 for SIGHUP, 131 for SIGQUIT.
    public static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }
}

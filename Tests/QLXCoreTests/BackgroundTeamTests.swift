import XCTest
import QLXCore

final class BackgroundTeamTests: XCTestCase {
    /// Kept out of the optimiser's sight so the products below are computed at run time.
    private var smallestNormal: Float = .leastNormalMagnitude
    private var half: Float = 0.5

    /// Every index runs exactly once per call, over several calls on the same helpers, and the
    /// call returns only once every task has finished (each writes its own slot).
    func testEveryTaskRunsOnceAndTheCallWaitsForAll() {
        let team = BackgroundTeam(helpers: 3, niceness: 5)
        defer { team.stop() }
        for count in [0, 1, 2, 7, 100] {
            var runs = [Int](repeating: 0, count: count)
            runs.withUnsafeMutableBufferPointer { runs in
                team.forEachTask(count: count) { i in
                    usleep(UInt32(i % 3) * 200)
                    runs[i] += 1
                }
            }
            XCTAssertEqual(runs, [Int](repeating: 1, count: count), "\(count) tasks")
        }
    }

    /// Helpers run with the caller's floating-point mode, as `Parallel`'s workers do.
    func testHelpersRunInTheCallersMode() {
        let team = BackgroundTeam(helpers: 2)
        defer { team.stop() }
        let count = 32
        var results = [Float](repeating: -1, count: count)
        let (x, h) = (smallestNormal, half)
        results.withUnsafeMutableBufferPointer { out in
            SubnormalFlush.enabled {
                team.forEachTask(count: count) { i in
                    usleep(100)
                    out[i] = x * h
                }
            }
        }
        XCTAssertEqual(results, [Float](repeating: 0, count: count), "a subnormal product is flushed on every thread")
    }
}

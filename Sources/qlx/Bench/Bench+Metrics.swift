import Foundation
import QLXCore
import QLXData
import QLXMetrics
import QLXModel

extension BenchSection {
    /// Complete discrete InfoMEC on 10,000 samples × 10 latents × 5 sources, beside
    /// scikit-learn on the same arrays (scripts/sklearn_metrics_speed.py) when available.
    static let metrics = BenchSection(name: "metrics",
                                      summary: "InfoMEC on 10,000 samples × 10 discrete latents × 5 sources vs scikit-learn") {
        let (sources, codes) = MetricsBenchArrays.make(samples: 10_000)
        var times: [Double] = [], cpuTimes: [Double] = []
        var result: InfoMECResult?
        for _ in 0..<3 {
            let start = Date(), cpuStart = processCPUSeconds()
            result = try InfoMEC.discrete(sources: sources, codes: codes)
            times.append(Date().timeIntervalSince(start))
            cpuTimes.append(processCPUSeconds() - cpuStart)
        }
        guard let result else { return }
        // CPU time too: on a shared machine the wall time says more about the neighbours.
        print(String(format: "  qlx:          %.3f s (best of 3; median %.3f s; %.3f CPU-s)  InfoM %.4f  InfoE %.4f  InfoC %.4f",
                     times.min()!, times.sorted()[1], cpuTimes.min()!, result.infoM, result.infoE, result.infoC))
        print(try MetricsBenchArrays.fitsLine(sources: sources, codes: codes))
        print("  scikit-learn: " + MetricsBenchArrays.sklearnLine(sources: sources, codes: codes, qlxSeconds: times.min()!))
        try dciLines()
        try interventionsLine()
    }

    /// Interventions on the bundled model: 200 base codes, each latent set to each other value,
    /// decoded and re-encoded in batches (the explorer's and `qlx metrics --interventions`' work).
    static func interventionsLine() throws {
        guard let path = try? BundledModel.locate() else {
            print("interventions: skipped (no bundled model)")
            return
        }
        let model = try Checkpoint.read(from: path).model()
        let dataset = try Datasets.named(model.config.dataset.name)
        let codes = try ModelEvaluation.encode(model: model, dataset: dataset, samples: 200, seed: 0, decode: false) { _ in }.codes
        let images = codes.count * model.config.latent.count * (model.config.latent.valuesPerLatent - 1)
        print("interventions on the bundled model, 200 base codes (\(images) decodes and encodes; target ≤ 10 s):")
        // As `qlx metrics` runs them (the task team), then as the explorer does (a background
        // team at low priority, started from a thread at that priority), alternated.
        for round in 1...2 {
            for background in [false, true] {
                let timed = TimedInterventions(model: model, codes: codes, background: background)
                if background {
                    let done = DispatchSemaphore(value: 0)
                    let runner = Thread {
                        BackgroundTeam.lowerCurrentThread()
                        timed.run()
                        done.signal()
                    }
                    runner.stackSize = 16 << 20
                    runner.start()
                    done.wait()
                } else {
                    timed.run()
                }
                let matrix = try timed.outcome!.get()
                let holds = (0..<matrix.latentCount).map { matrix.holds($0) }
                print(String(format: "  round %d, %@: %.2f s (%.2f CPU-s); mean holds %.2f", round,
                             background ? "the explorer's background threads (nice 10)" : "the task team (qlx metrics)",
                             timed.seconds, timed.cpu, holds.reduce(0, +) / Double(holds.count)))
            }
        }
    }

    /// DCI on 15,000 scenes-like codes (12 latents, 6 factors): trained on the first 10,000 and
    /// tested on the last 5,000, disentanglement_lib's sizes, beside scikit-learn on the same rows.
    static func dciLines() throws {
        let (sources, codes) = MetricsBenchArrays.makeScenesLike(samples: 15_000)
        let train = 10_000
        func columns<T>(_ rows: ArraySlice<[Int]>, _ map: (Int) -> T) -> [[T]] {
            (0..<rows.first!.count).map { j in rows.map { map($0[j]) } }
        }
        var times: [Double] = [], cpuTimes: [Double] = []
        var result: DCIResult?
        for _ in 0..<3 {
            let start = Date(), cpuStart = processCPUSeconds()
            result = try DCI.compute(trainFactors: columns(sources[..<train], Int32.init), trainLatents: columns(codes[..<train], Double.init),
                                     testFactors: columns(sources[train...], Int32.init), testLatents: columns(codes[train...], Double.init),
                                     seed: 0)
            times.append(Date().timeIntervalSince(start))
            cpuTimes.append(processCPUSeconds() - cpuStart)
        }
        guard let result else { return }
        print("DCI on 10,000 training + 5,000 test codes × 12 latents × 6 factors (100 stages of depth-3 trees per class)")
        print(String(format: "  qlx:          %.3f s (best of 3; median %.3f s; %.3f CPU-s)  D %.4f  C %.4f  I %.4f",
                     times.min()!, times.sorted()[1], cpuTimes.min()!, result.disentanglement, result.completeness,
                     result.informativeness))
        print("  scikit-learn: " + MetricsBenchArrays.sklearnLine(script: "scripts/sklearn_dci_speed.py", sources: sources, codes: codes,
                                                                  qlxSeconds: times.min()!, figures: [("d", "D"), ("c", "C"), ("i", "I")]))
    }
}

extension MetricsBenchArrays {
    /// The InfoE regressions one at a time, in thread CPU time (best of 3), and the busiest of
    /// two workers when they are handed out as InfoMEC does (most classes first, each to the
    /// next free worker): what the fits take on two idle cores, whatever the neighbours do.
    static func fitsLine(sources: [[Int]], codes: [[Int]]) throws -> String {
        let s = try LabelEncodedColumns(rows: sources, input: "sources")
        let z = try LabelEncodedColumns(rows: codes, input: "latents")
        let design = RegressionDesign.oneHot(OneHotCodes(labels: z.labels, blockSizes: z.classCounts))
        let seconds = s.labels.indices.map { i in
            (0..<3).map { _ in
                let start = threadCPUSeconds()
                _ = SoftmaxRegression(design: design, labels: s.labels[i], classes: s.classCounts[i]).fit()
                return threadCPUSeconds() - start
            }.min()!
        }
        var workers = [0.0, 0.0]
        for i in s.labels.indices.sorted(by: { s.classCounts[$0] > s.classCounts[$1] }) {
            let next = workers[0] <= workers[1] ? 0 : 1
            workers[next] += seconds[i]
        }
        let each = s.labels.indices.map { String(format: "%.3f (%d classes)", seconds[$0], s.classCounts[$0]) }
        return String(format: "  InfoE fits:   %@ CPU-s; on 2 idle cores %.3f s", each.joined(separator: ", "), workers.max()!)
    }
}

/// CPU time of the calling thread so far.
private func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// User + system CPU time of this process so far.
private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}

/// Sprites-like arrays: factors of sizes 3, 6, 40, 32, 32; latents 0–4 each a noisy,
/// binned copy of one factor, latents 5–7 mix two factors, 8–9 are noise.
enum MetricsBenchArrays {
    static func make(samples: Int) -> (sources: [[Int]], codes: [[Int]]) {
        var generator = SeededGenerator(seed: 2023)
        let sizes = [3, 6, 40, 32, 32]
        var sources: [[Int]] = [], codes: [[Int]] = []
        for _ in 0..<samples {
            let s = sizes.map { uniformIndex(below: $0, using: &generator) }
            var z: [Int] = []
            for j in 0..<5 {
                let binned = min(9, s[j] * 10 / sizes[j])
                z.append(uniformIndex(below: 10, using: &generator) == 0 ? uniformIndex(below: 10, using: &generator) : binned)
            }
            z.append((z[2] + z[3]) % 10)
            z.append((z[0] * 3 + z[4]) % 10)
            z.append(uniformIndex(below: 2, using: &generator) == 0 ? z[1] : z[3])
            z.append(uniformIndex(below: 10, using: &generator))
            z.append(uniformIndex(below: 4, using: &generator))
            sources.append(s)
            codes.append(z)
        }
        return (sources, codes)
    }

    static let sklearnTimeLimit: TimeInterval = 900

    /// Scenes-like arrays: factors of sizes 10, 10, 10, 8, 4, 15; latents 0–5 each a binned copy
    /// of one factor with 10% of entries replaced by noise, 6–8 mix two latents, 9–11 are noise.
    static func makeScenesLike(samples: Int) -> (sources: [[Int]], codes: [[Int]]) {
        var generator = SeededGenerator(seed: 2018)
        let sizes = [10, 10, 10, 8, 4, 15]
        var sources: [[Int]] = [], codes: [[Int]] = []
        for _ in 0..<samples {
            let s = sizes.map { uniformIndex(below: $0, using: &generator) }
            var z = (0..<6).map { j in
                uniformIndex(below: 10, using: &generator) == 0 ? uniformIndex(below: 10, using: &generator) : min(9, s[j] * 10 / sizes[j])
            }
            z.append((z[0] + z[1]) % 10)
            z.append((z[2] * 3 + z[3]) % 10)
            z.append(uniformIndex(below: 2, using: &generator) == 0 ? z[4] : z[5])
            z += [uniformIndex(below: 10, using: &generator), uniformIndex(below: 4, using: &generator),
                  uniformIndex(below: 10, using: &generator)]
            sources.append(s)
            codes.append(z)
        }
        return (sources, codes)
    }

    static func sklearnLine(sources: [[Int]], codes: [[Int]], qlxSeconds: Double) -> String {
        sklearnLine(script: "scripts/sklearn_metrics_speed.py", sources: sources, codes: codes, qlxSeconds: qlxSeconds,
                    figures: [("infom", "InfoM"), ("infoe", "InfoE"), ("infoc", "InfoC")])
    }

    /// Runs a Python timing script on the same arrays; one line of figures (`figures` maps the
    /// script's `key=value` fields to labels, in order) or why it was skipped.
    static func sklearnLine(script name: String, sources: [[Int]], codes: [[Int]], qlxSeconds: Double,
                            figures: [(key: String, label: String)]) -> String {
        guard let script = locateScript(name) else { return "skipped: python3/sklearn not available (\(name) not found)" }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qlx-bench-metrics-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let s = dir.appendingPathComponent("sources.npy").path, z = dir.appendingPathComponent("latents.npy").path
            try Npy.write(int64: sources.flatMap { $0.map(Int64.init) }, shape: [sources.count, sources[0].count], to: s)
            try Npy.write(int64: codes.flatMap { $0.map(Int64.init) }, shape: [codes.count, codes[0].count], to: z)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, s, z]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Read on another thread; give up after `sklearnTimeLimit` (it is 30-100× slower).
            nonisolated(unsafe) var data = Data()
            let reader = DispatchGroup()
            reader.enter()
            DispatchQueue.global().async { data = out.fileHandleForReading.readDataToEndOfFile(); reader.leave() }
            let deadline = Date().addingTimeInterval(sklearnTimeLimit)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
                reader.wait()
                return String(format: "skipped: did not finish within %.0f s", sklearnTimeLimit)
            }
            process.waitUntilExit()
            reader.wait()
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard process.terminationStatus == 0, text.hasPrefix("seconds=") else {
                return "skipped: python3/sklearn not available"
            }
            var fields: [String: Double] = [:]
            for part in text.split(separator: " ") {
                let kv = part.split(separator: "=")
                if kv.count == 2, let v = Double(kv[1]) { fields[String(kv[0])] = v }
            }
            let values = figures.map { String(format: "  %@ %.4f", $0.label, fields[$0.key] ?? .nan) }.joined()
            return String(format: "%.3f s (same arrays, one run)", fields["seconds"] ?? .nan) + values
                + (qlxSeconds > 0 ? String(format: "  (qlx %.0f× faster)", (fields["seconds"] ?? 0) / qlxSeconds) : "")
        } catch {
            return "skipped: python3/sklearn not available (\(error))"
        }
    }

    /// ./scripts, then the scripts/ folder of the repository the executable was built in.
    static func locateScript(_ name: String) -> String? {
        var candidates = [FileManager.default.currentDirectoryPath + "/" + name]
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent(name).path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}

/// One timed run of the bench's interventions, on the task team or on a background team (as
/// the explorer runs them); a class so that a thread of its own can fill it in.
private final class TimedInterventions: @unchecked Sendable {
    let model: QLAE, codes: [[Int]], background: Bool
    var outcome: Result<InterventionMatrix, any Error>?
    var seconds = 0.0, cpu = 0.0

    init(model: QLAE, codes: [[Int]], background: Bool) {
        (self.model, self.codes, self.background) = (model, codes, background)
    }

    func run() {
        let start = Date(), cpuStart = processCPUSeconds()
        outcome = Result {
            guard background else { return try InterventionMatrix.measure(model: model, baseCodes: codes) }
            let team = BackgroundTeam()
            defer { team.stop() }
            return try InterventionMatrix.measure(model: model, baseCodes: codes, on: team)
        }
        seconds = Date().timeIntervalSince(start)
        cpu = processCPUSeconds() - cpuStart
    }
}

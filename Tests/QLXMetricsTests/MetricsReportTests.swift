import Foundation
import QLXCore
import QLXMetrics
import QLXRender
import XCTest

final class MetricsReportTests: XCTestCase {
    func report() throws -> MetricsReport {
        let sources = (0..<60).map { [$0 % 3, ($0 / 3) % 4] }
        let codes = sources.map { [$0[1], $0[0], 2, ($0[0] + $0[1]) % 5] }
        let r = try InfoMEC.discrete(sources: sources, codes: codes)
        return try MetricsReport(factorNames: ["shape", "scale"], infoMEC: r, latentKind: .discrete, samples: 60,
                                 reconstruction: ReconstructionMetrics(bce: 0.1, mse: 0.01),
                                 codebookUsage: CodebookUsage.perLatent(codes: codes, codebookSize: 6))
    }

    func testCodebookUsageCountsPerplexityAndDeadValues() {
        let usage = CodebookUsage(codes: [0, 0, 1, 1, 3, 3], codebookSize: 5)
        XCTAssertEqual(usage.counts, [2, 2, 0, 2, 0])
        XCTAssertEqual(usage.deadValues, [2, 4])
        XCTAssertEqual(usage.perplexity, 3, accuracy: 1e-12)
        XCTAssertEqual(CodebookUsage(counts: [5]).perplexity, 1)
    }

    func testReconstructionMatchesPlainFormulas() {
        let logits = Tensor(shape: [1, 1, 1, 4], data: [-2, 0, 3, 12])
        let targets = Tensor(shape: [1, 1, 1, 4], data: [0, 1, 1, 0.5])
        var accumulator = ReconstructionAccumulator()
        accumulator.add(logits: logits, targets: targets)
        var bce = 0.0, mse = 0.0
        for (z, x) in zip(logits.data.map(Double.init), targets.data.map(Double.init)) {
            let p = 1 / (1 + exp(-z))
            bce += -(x * log(p) + (1 - x) * log(1 - p))
            mse += (p - x) * (p - x)
        }
        let result = accumulator.result!
        XCTAssertEqual(result.bce, bce / 4, accuracy: 1e-6)
        XCTAssertEqual(result.mse, mse / 4, accuracy: 1e-12)
        XCTAssertEqual(result.psnr, 10 * log10(4 / mse), accuracy: 1e-9)
        XCTAssertEqual(ReconstructionMetrics(bce: 0, mse: 0).psnr, 100)
        XCTAssertNil(ReconstructionAccumulator().result)
    }

    func testJSONRoundTrip() throws {
        let original = try report()
        let data = try JSONEncoder().encode(original)
        XCTAssertEqual(try JSONDecoder().decode(MetricsReport.self, from: data), original)
    }

    func testTextHasTheFiguresHeatmapAndTables() throws {
        let r = try report()
        let text = r.text()
        XCTAssertTrue(text.contains("InfoM \(String(format: "%.3f", r.infoM))"))
        XCTAssertTrue(text.contains("PSNR 20.0 dB"))
        XCTAssertFalse(text.contains("\u{1B}["), "no escape sequences without colour")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let heatmapStart = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("NMI heatmap") })
        // Rows are factors; latent 2 is constant, so its column shows the inactive mark.
        XCTAssertTrue(lines[heatmapStart + 1].contains("z0") && lines[heatmapStart + 1].contains("z3"))
        XCTAssertTrue(lines[heatmapStart + 2].hasPrefix("shape"))
        XCTAssertTrue(lines[heatmapStart + 3].hasPrefix("scale"))
        XCTAssertTrue(lines[heatmapStart + 2].contains("███"), lines[heatmapStart + 2])
        XCTAssertTrue(lines[heatmapStart + 2].contains("·"))
        XCTAssertTrue(text.contains("z2      no "))
        let colored = r.text(style: { ANSI.heatmapCell($0, value: $1) })
        XCTAssertTrue(colored.contains("\u{1B}[48;5;"))
        XCTAssertFalse(r.text(unicode: false).contains("█"))
    }
}

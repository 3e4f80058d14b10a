import XCTest
import QLXExplorer
import QLXModel
import QLXModelTestSupport
import QLXTestSupport

/// Which metrics a freshly opened explorer shows: the checkpoint's stored report, and a live
/// evaluation only when it asks for more samples than the report used.
final class ExplorerSetupTests: XCTestCase {
    var path: String!

    override func setUpWithError() throws {
        let config = tinySpritesConfig(encoderWidths: [4, 4], decoderWidths: [4, 4], dense: 8, latents: 3, values: 4)
        path = try makeScratchDirectory("explorer-setup").appendingPathComponent("stored.safetensors").path
        try Checkpoint(model: QLAE(config: config, seed: 5), metadata: ["qlx.metrics": threeLatentMetricsReport]).write(to: path)
    }

    func testAStoredReportOnAsManySamplesIsKeptWithoutALiveJob() throws {
        for samples in [0, 200, 1000] {
            let session = try ExplorerSetup.session(.init(checkpointPath: path, metricSamples: samples))
            XCTAssertNil(session.metricsJob, "\(samples) samples")
            XCTAssertEqual(session.state.metrics?.origin, .checkpoint)
            XCTAssertEqual(session.state.metrics?.samples, 1000)
            XCTAssertEqual(session.state.metrics?.infoE, 0.5)
        }
    }

    func testAskingForMoreSamplesThanStoredStartsALiveJob() throws {
        let session = try ExplorerSetup.session(.init(checkpointPath: path, metricSamples: 1001))
        XCTAssertEqual(session.metricsJob?.samples, 1001)
        XCTAssertEqual(session.state.metrics?.origin, .checkpoint, "the stored figures show until the job ends")
    }

    func testAStoredReportForOtherLatentsIsIgnoredWithAWarningInTheStatusLine() throws {
        let config = tinySpritesConfig(encoderWidths: [4, 4], decoderWidths: [4, 4], dense: 8, latents: 2, values: 4)
        let other = try makeScratchDirectory("explorer-setup").appendingPathComponent("other.safetensors").path
        try Checkpoint(model: QLAE(config: config, seed: 5), metadata: ["qlx.metrics": threeLatentMetricsReport]).write(to: other)
        let session = try ExplorerSetup.session(.init(checkpointPath: other, metricSamples: 0))
        XCTAssertNil(session.state.metrics)
        XCTAssertEqual(session.state.statusMessage, "ignoring the checkpoint's qlx.metrics (not a metrics report for 2 latents)")
    }
}

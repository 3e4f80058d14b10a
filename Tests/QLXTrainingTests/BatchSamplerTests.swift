import XCTest
import QLXData
import QLXTraining

final class BatchSamplerTests: XCTestCase {
    func testBatchesArePureFunctionsOfSeedAndStep() {
        let a = BatchSampler(seed: 5, batchSize: 64, datasetCount: 737_280, heldOutCount: 1000)
        let b = BatchSampler(seed: 5, batchSize: 64, datasetCount: 737_280, heldOutCount: 1000)
        XCTAssertEqual(a.indices(step: 17), b.indices(step: 17))
        XCTAssertEqual(a.heldOut, b.heldOut)
        XCTAssertNotEqual(a.indices(step: 17), a.indices(step: 18))
        XCTAssertNotEqual(a.indices(step: 0), BatchSampler(seed: 6, batchSize: 64, datasetCount: 737_280, heldOutCount: 1000).indices(step: 0))
        // Consecutive steps share no shifted run of indices (a weak stream would).
        XCTAssertTrue(Set(a.indices(step: 1)).intersection(a.indices(step: 2)).count < 3)
    }

    func testHeldOutImagesNeverAppearInTrainingBatches() {
        // A tiny dataset makes collisions certain if the rejection were missing.
        let sampler = BatchSampler(seed: 1, batchSize: 50, datasetCount: 100, heldOutCount: 40)
        XCTAssertEqual(Set(sampler.heldOut).count, 40)
        let held = Set(sampler.heldOut)
        for step in 0..<20 {
            let batch = sampler.indices(step: step)
            XCTAssertEqual(batch.count, 50)
            XCTAssertTrue(held.isDisjoint(with: batch))
            XCTAssertTrue(batch.allSatisfy { (0..<100).contains($0) })
        }
    }
}

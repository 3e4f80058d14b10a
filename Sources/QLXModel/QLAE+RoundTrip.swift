import QLXCore

extension QLAE {
    /// Codes → the codes of their decoded-then-encoded images, in order (the model must be
    /// quantized). The batch is cut into shards of `roundTripShardSize` codes that the cores
    /// take in turn, each decoded and encoded with every inner loop and product on its core:
    /// images are independent through both networks, and one join per shard costs less than
    /// a join for every layer's split (`qlx bench --only metrics`, interventions line).
    /// The shards go to `Parallel`'s task team, or to `team` (a background job's
    /// low-priority threads).
    public func roundTrip(codes: [[Int]], on team: BackgroundTeam? = nil) -> [[Int]] {
        let shardSize = Self.roundTripShardSize
        let shardCount = (codes.count + shardSize - 1) / shardSize
        guard shardCount > 1 || team != nil else { return encode(decode(codes: codes).images).codes }
        var results = [[[Int]]](repeating: [], count: shardCount)
        results.withUnsafeMutableBufferPointer { results in
            func roundTrip(shard: Int) {
                let slice = Array(codes[(shard * shardSize)..<min((shard + 1) * shardSize, codes.count)])
                results[shard] = Parallel.serially { encode(decode(codes: slice).images).codes }
            }
            Gemm.withSingleThread {
                if let team {
                    team.forEachTask(count: shardCount, roundTrip)
                } else {
                    Parallel.forEachTask(count: shardCount, roundTrip)
                }
            }
        }
        return results.flatMap { $0 }
    }

    /// Codes per round-trip shard: enough for wide products, few enough that a shard's
    /// activations stay near its core's cache (8 and 16 time the same; 32 and 64 are slower).
    static let roundTripShardSize = 16
}

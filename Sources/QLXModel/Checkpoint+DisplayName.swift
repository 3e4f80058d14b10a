import Foundation

extension Checkpoint {
    /// How titles name a checkpoint: its file name, or for a reference run the first folder
    /// above files/, checkpoint/, step=N/ and model.eqx (the wandb run folder's name).
    public static func displayName(of path: String) -> String {
        var parts = (path as NSString).standardizingPath.split(separator: "/").map(String.init)
        while let last = parts.last, parts.count > 1,
              ["files", "checkpoint", "model.eqx"].contains(last) || last.hasPrefix("step=") {
            parts.removeLast()
        }
        return parts.last ?? path
    }
}

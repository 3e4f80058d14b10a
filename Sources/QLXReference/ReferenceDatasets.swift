import QLXCore
import QLXData
import QLXModel

/// The datasets the reference code trains on (`data.name`): image shape and ground-truth
/// factors in the order the reference's loaders stack them. dSprites is qlx's procedural
/// `sprites` dataset (the same factor grid), so such runs can browse and score on it.
enum ReferenceDatasets {
    static func info(named name: String) -> (image: ImageShape, dataset: DatasetInfo)? {
        let rgb = ImageShape(channels: 3, height: 64, width: 64)
        switch name {
        case "dsprites":
            let sprites = SpritesDataset()
            return (sprites.imageShape, sprites.info)
        case "shapes3d":
            // The same grid and names as qlx's Shapes3D file reader and its `scenes`.
            return (rgb, DatasetInfo(name: "shapes3d", factorNames: DatasetFile.shapes3dFactors, factorSizes: DatasetFile.shapes3dSizes))
        case "mpi3d":
            // The reference's MPI3D builder: 4·4·2·3·3·40·40 (as qlx's MPI3D file reader).
            return (rgb, DatasetInfo(name: "mpi3d", factorNames: DatasetFile.mpi3dFactors, factorSizes: DatasetFile.mpi3dSizes))
        // Falcor3D and Isaac3D: the factors and sizes the reference loaders list beside their
        // labels (disentangle/datasets/{falcor3d,isaac3d}/*.py), images 128×128 resized to 64×64.
        case "falcor3d":
            return (rgb, DatasetInfo(name: "falcor3d",
                                     factorNames: ["lighting_intensity", "lighting_x", "lighting_y", "lighting_z",
                                                   "camera_x", "camera_y", "camera_z"],
                                     factorSizes: [5, 6, 6, 6, 6, 6, 6]))
        case "isaac3d":
            return (rgb, DatasetInfo(name: "isaac3d",
                                     factorNames: ["object_shape", "robot_x", "robot_y", "camera_height", "object_scale",
                                                   "lighting_intensity", "lighting_y_dir", "object_color", "wall_color"],
                                     factorSizes: [3, 8, 5, 4, 4, 4, 6, 4, 4]))
        default:
            return nil
        }
    }

    /// The training script's `num_latents: twice_sources`.
    static func twiceSources(_ name: String) -> Int? {
        ["shapes3d": 12, "isaac3d": 18, "falcor3d": 14, "mpi3d": 14][name]
    }
}

// libFuzzer target: a reference run's YAML config (ReferenceConfig over Yams and libyaml, both
// instrumented), then the lookups ReferenceModelSpec makes: dotted keys through nested
// mappings and ${a.b} interpolations, typed as strings, integers and integer lists.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let config = try? ReferenceConfig(yaml: text, path: "fuzz.yaml") else { return 0 }
    for key in ["model_partial._target_", "data.name", "model_partial.latent_partial.num_latents",
                "model_partial.latent_partial.num_values_per_latent", "model_partial.encoder_partial.widths",
                "model_partial.decoder_partial.conv_partial.kernel_size", "a", "a.b", "a.b.c"] {
        _ = config.value(key)?.summary
        _ = try? config.string(key)
        _ = try? config.int(key)
        _ = try? config.ints(key)
    }
    return 0
}

//! The web app's wasm is linked with its relocations kept (`--emit-relocs`): `wasm-split-cli`
//! (scripts/build-app) needs them to move the Sigstore verifier's code into a second module.
//! Natively the package is a plain library and nothing changes.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
    }
}

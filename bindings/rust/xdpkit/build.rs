//! Adds an rpath to libxdpkit.so's directory (found by xdpkit-sys's build
//! script, handed over as DEP_XDPKIT_LIB_DIR) to this crate's own tests
//! and examples, so they run without LD_LIBRARY_PATH. Cargo passes
//! `rustc-link-arg` only to the targets of the package that emits it.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_XDPKIT_LIB_DIR");
    if let Ok(dir) = std::env::var("DEP_XDPKIT_LIB_DIR") {
        println!("cargo:rustc-link-arg-tests=-Wl,-rpath,{dir}");
        println!("cargo:rustc-link-arg-examples=-Wl,-rpath,{dir}");
    }
}

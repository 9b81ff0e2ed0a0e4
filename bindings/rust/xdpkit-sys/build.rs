//! Finds libxdpkit.so and tells cargo how to link it:
//!
//! 1. `XDPKIT_LIB_DIR` (a directory holding libxdpkit.so),
//! 2. pkg-config's `xdpkit` package (only if pkg-config is there),
//! 3. the repository's `build/` directory (`../../../build` from this
//!    crate), running `make -C <repo> lib` when the library is not built.
//!
//! Each directory goes into the link search path and into an rpath, so the
//! crate's tests run without LD_LIBRARY_PATH; dependents get it as
//! `DEP_XDPKIT_LIB_DIR` (the `xdpkit` crate's build script adds the same
//! rpath to its own tests and examples).
//!
//! With the C header at hand (`XDPKIT_INCLUDE_DIR`, the repository's
//! `include/`, or pkg-config's include path), it also compiles
//! `csrc/layout.c`, a table of sizeof/offsetof/constant values taken from
//! the header, into the crate's tests only (tests/layout.rs compares it
//! with the Rust declarations).
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const LIB_FILE: &str = "libxdpkit.so";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=csrc/layout.c");
    println!("cargo:rerun-if-env-changed=XDPKIT_LIB_DIR");
    println!("cargo:rerun-if-env-changed=XDPKIT_INCLUDE_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo::rustc-check-cfg=cfg(xdpkit_layout)");

    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let repo = manifest.join("..").join("..").join("..");
    let repo = repo.canonicalize().unwrap_or(repo);

    let (lib_dirs, mut include_dirs) = find_library(&repo);
    for dir in &lib_dirs {
        println!("cargo:rustc-link-search=native={}", dir.display());
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }
    println!("cargo:rustc-link-lib=dylib=xdpkit");
    if let Some(dir) = lib_dirs.first() {
        // DEP_XDPKIT_LIB_DIR for the build scripts of dependents.
        println!("cargo:lib_dir={}", dir.display());
    }

    if let Some(dir) = env::var_os("XDPKIT_INCLUDE_DIR") {
        include_dirs.insert(0, PathBuf::from(dir));
    }
    include_dirs.push(repo.join("include"));
    if let Some(inc) = include_dirs.iter().find(|d| d.join("xdpkit.h").is_file()) {
        let header = inc.join("xdpkit.h");
        println!("cargo:rerun-if-changed={}", header.display());
        println!("cargo:include={}", inc.display());
        println!("cargo:rustc-env=XDPKIT_SYS_HEADER={}", header.display());
        let objects = cc::Build::new()
            .file("csrc/layout.c")
            .include(inc)
            .warnings(true)
            .extra_warnings(true)
            .cargo_metadata(false)
            .compile_intermediates();
        for obj in objects {
            println!("cargo:rustc-link-arg-tests={}", obj.display());
        }
        println!("cargo:rustc-cfg=xdpkit_layout");
    } else {
        println!("cargo:warning=xdpkit.h not found (set XDPKIT_INCLUDE_DIR): the layout test is skipped");
    }
}

/// The directories to link from and the include directories pkg-config
/// reported (if it was the one that found the library).
fn find_library(repo: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    if let Some(dir) = env::var_os("XDPKIT_LIB_DIR") {
        let dir = PathBuf::from(dir);
        if !dir.join(LIB_FILE).exists() && !dir.join("libxdpkit.so.0").exists() {
            println!("cargo:warning=XDPKIT_LIB_DIR={} holds no {LIB_FILE}", dir.display());
        }
        return (vec![dir], Vec::new());
    }

    // pkg-config is optional: a missing binary or package is no error.
    if let Ok(lib) = pkg_config::Config::new().cargo_metadata(false).env_metadata(true).probe("xdpkit") {
        if !lib.link_paths.is_empty() {
            return (lib.link_paths, lib.include_paths);
        }
    }

    let build = repo.join("build");
    println!("cargo:rerun-if-changed={}", build.join(LIB_FILE).display());
    if !build.join(LIB_FILE).exists() {
        if repo.join("Makefile").is_file() {
            println!("cargo:warning=building libxdpkit.so: make -C {} lib", repo.display());
            let status = Command::new(env::var("MAKE").unwrap_or_else(|_| "make".into()))
                .arg("-C")
                .arg(repo)
                .arg("lib")
                .env_remove("MAKEFLAGS")
                .env_remove("MFLAGS")
                .env_remove("CARGO_MAKEFLAGS")
                .status();
            match status {
                Ok(s) if s.success() => {}
                Ok(s) => panic!("`make -C {} lib` failed ({s}); set XDPKIT_LIB_DIR", repo.display()),
                Err(e) => panic!("cannot run make for libxdpkit.so ({e}); set XDPKIT_LIB_DIR"),
            }
        } else {
            panic!(
                "libxdpkit.so not found: set XDPKIT_LIB_DIR, install xdpkit.pc for pkg-config, \
                 or build the xdpkit repository (make lib)"
            );
        }
    }
    (vec![build], Vec::new())
}

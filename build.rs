//! Puts the commit the binary was built from into `adsync --version` (ADSYNC_VERSION).
//!
//! From a git checkout it asks `git rev-parse`; `ADSYNC_COMMIT` names the commit for builds
//! without one (a source tarball, a distribution's build), and with neither the version is
//! the crate's alone. A tarball unpacked inside some other repository must not borrow that
//! repository's commit, so git is believed only when its top level is this crate.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=ADSYNC_COMMIT");
    let version = env!("CARGO_PKG_VERSION");
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let commit = std::env::var("ADSYNC_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.trim().to_string())
        .or_else(|| git_commit(&manifest_dir));
    let full = match commit {
        Some(commit) => format!("{version} (commit {commit})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=ADSYNC_VERSION={full}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn git_commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(dir).ok()? {
        return None;
    }
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    // Rebuild when HEAD moves: HEAD itself (a checkout), the branch it points at (a commit)
    // and packed-refs (where `git gc` moves that branch). A worktree keeps its HEAD in its
    // own git dir and the refs in the common one.
    // Cargo reruns a script every time for a watched path that does not exist, so only
    // those that do are named.
    let mut watched = Vec::new();
    if let Some(git_dir) = git(dir, &["rev-parse", "--absolute-git-dir"]) {
        watched.push(PathBuf::from(git_dir).join("HEAD"));
    }
    if let Some(common) = git(dir, &["rev-parse", "--path-format=absolute", "--git-common-dir"]) {
        let common = PathBuf::from(common);
        watched.push(common.join("packed-refs"));
        if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
            watched.push(common.join(branch));
        }
    }
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    Some(commit)
}

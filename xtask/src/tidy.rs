//! Tidy checks: the project's hard rules about source files, run as `#[test]`s so that
//! `cargo test` (and so CI) fails on a violation, the way rust-analyzer's `xtask/src/tidy.rs`
//! does it.
//!
//! - Every `.rs` file starts with a `//!` doc saying why it exists.
//! - No test is switched off or inverted with the ignore or should-panic attributes: assert on
//!   the `Err` or `None` instead.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// The directories holding the project's Rust sources.
    const SOURCE_DIRS: [&str; 3] = ["crates", "xtask", "tests"];

    /// The committed (or staged) `.rs` files under [`SOURCE_DIRS`]: what CI sees, without
    /// anyone's scratch files in the shared checkout.
    fn rust_files() -> Vec<PathBuf> {
        let root = crate::project_root();
        let output = std::process::Command::new("git")
            .args(["ls-files", "-z", "--"])
            .args(SOURCE_DIRS)
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(output.status.success(), "git ls-files failed");
        let listing = String::from_utf8(output.stdout).unwrap();
        listing
            .split('\0')
            .filter(|path| path.ends_with(".rs"))
            .map(|path| root.join(path))
            .filter(|path| path.exists())
            .collect()
    }

    fn relative(path: &Path) -> String {
        let root = crate::project_root();
        path.strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    #[test]
    fn every_rust_file_starts_with_a_module_doc() {
        let files = rust_files();
        assert!(files.len() > 20, "found only {} files", files.len());
        let undocumented: Vec<String> = files
            .iter()
            .filter(|path| {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                !text.trim_start().starts_with("//!")
            })
            .map(|path| relative(path))
            .collect();
        assert!(
            undocumented.is_empty(),
            "these files do not start with a `//!` doc saying why they exist:\n{}",
            undocumented.join("\n")
        );
    }

    #[test]
    fn no_ignored_or_should_panic_tests() {
        // Spelled in pieces so that this file does not match itself.
        let banned = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
        let mut offenders = Vec::new();
        for path in rust_files() {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for (line_idx, line) in text.lines().enumerate() {
                if banned
                    .iter()
                    .any(|attribute| line.trim_start().starts_with(attribute))
                {
                    offenders.push(format!(
                        "{}:{}: {}",
                        relative(&path),
                        line_idx + 1,
                        line.trim()
                    ));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "tests must assert on the Err or None instead of ignore or should_panic:\n{}",
            offenders.join("\n")
        );
    }
}

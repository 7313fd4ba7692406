//! The one-way architecture, read off the source as a newcomer would: `web` → `services` →
//! `db` / `rules` / `domain` / `i18n`, and `jobs` → `services`. A change that reaches the
//! wrong way fails here and names the file and line.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The code lines (not comments) of every Rust file of `src/<layer>`, as (place, line).
fn code_of(layer: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no source under {}", root.display());
    let mut lines = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        let shown = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&file)
            .display()
            .to_string();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if !code.starts_with("//") {
                lines.push((format!("{shown}:{}", n + 1), line.to_owned()));
            }
        }
    }
    lines
}

fn lines_naming(layer: &str, needles: &[&str]) -> Vec<String> {
    code_of(layer)
        .into_iter()
        .filter(|(_, line)| needles.iter().any(|needle| line.contains(needle)))
        .map(|(place, line)| format!("{place}: {}", line.trim()))
        .collect()
}

#[test]
fn the_lower_layers_never_reach_up_into_the_web_or_the_jobs() {
    let mut wrong = Vec::new();
    for layer in ["services", "jobs", "db", "rules", "domain", "i18n"] {
        wrong.extend(lines_naming(layer, &["crate::web", "crate::app"]));
    }
    for layer in ["db", "rules", "domain", "i18n"] {
        wrong.extend(lines_naming(layer, &["crate::services", "crate::jobs"]));
    }
    wrong.extend(lines_naming("services", &["crate::jobs"]));
    assert!(
        wrong.is_empty(),
        "reaching up a layer:\n{}",
        wrong.join("\n")
    );
}

/// The names a `use crate::<module>…;` brings in that are not types: modules and functions.
fn non_types_imported(tree: &str) -> Vec<String> {
    tree.split([',', '{', '}'])
        .filter_map(|piece| {
            let path = piece.split(" as ").next().unwrap_or(piece).trim();
            let leaf = path.rsplit("::").next().unwrap_or(path).trim();
            let is_type = leaf.chars().next().is_some_and(char::is_uppercase);
            (!leaf.is_empty() && !is_type).then(|| leaf.to_owned())
        })
        .collect()
}

#[test]
fn background_jobs_do_their_work_only_through_services() {
    let code = code_of("jobs");
    let mut wrong = Vec::new();
    // Gathers each `use` statement whole, however many lines it spans.
    let mut statement: Option<(String, String)> = None;
    for (place, line) in &code {
        let trimmed = line.trim();
        if statement.is_none() && trimmed.starts_with("use crate::") {
            statement = Some((place.clone(), String::new()));
        }
        if let Some((_, text)) = statement.as_mut() {
            text.push_str(trimmed);
            if trimmed.ends_with(';') {
                let (start, text) = statement.take().expect("a statement being read");
                let tree = text.trim_start_matches("use crate::").trim_end_matches(';');
                let (module, rest) = tree.split_once("::").unwrap_or((tree, ""));
                if !["services", "config", "jobs"].contains(&module) {
                    for name in non_types_imported(rest) {
                        wrong.push(format!("{start}: imports `{name}` from crate::{module}"));
                    }
                }
            }
            continue;
        }
        for module in ["db", "rules", "domain", "i18n"] {
            let needle = format!("crate::{module}::");
            for (at, _) in line.match_indices(&needle) {
                let path = &line[at + needle.len()..];
                let first = path
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next();
                let called = path.split_once('(').is_some_and(|(before, _)| {
                    before
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
                });
                if first.is_some_and(|f| f.chars().next().is_some_and(char::is_lowercase)) && called
                {
                    wrong.push(format!("{place}: calls crate::{module}::{}", path.trim()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "jobs must go through services:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn handlers_leave_transactions_audit_entries_files_and_decisions_to_services() {
    let wrong = lines_naming(
        "web",
        &[
            "write_transaction",
            "audit::record",
            "std::fs::",
            "reevaluate_households",
        ],
    );
    assert!(
        wrong.is_empty(),
        "work that belongs in a service:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_import_reader_tells_types_from_modules_and_functions() {
    assert_eq!(non_types_imported("{outbox, Pool}"), vec!["outbox"]);
    assert_eq!(
        non_types_imported("registry_sync::PageError"),
        Vec::<String>::new()
    );
    assert_eq!(
        non_types_imported("calendar::{self, WorkingCalendar as Cal}"),
        vec!["self"]
    );
}

//! Outputs: never over an input, checked before any work, written whole or not at all, `-`
//! for stdout, one spelling for the option, and the exit codes.

use std::path::{Path, PathBuf};

use crate::support::reprint;

const STORY: &str = "The river authority said on Monday that the old weir at Hollin Bridge would be removed next summer so that salmon can reach their spawning grounds upstream for the first time in a century.";
const OTHER: &str = "A bakery on the high street has won a national award for its sourdough loaf, which is made with flour milled from wheat grown on a farm less than ten miles away from the shop.";

fn feed(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let lines = [
        serde_json::json!({"id": "a", "text": STORY}).to_string(),
        serde_json::json!({"id": "b", "text": STORY}).to_string(),
        serde_json::json!({"id": "c", "text": OTHER}).to_string(),
    ];
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_survives() {
    let dir = tempfile::tempdir().unwrap();
    let input = feed(dir.path(), "same.jsonl");
    let before = std::fs::read(&input).unwrap();
    for command in ["dedup", "score"] {
        let output = reprint()
            .arg(command)
            .arg(&input)
            .arg("-o")
            .arg(&input)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = stderr_of(&output);
        assert!(stderr.contains("is the input file"), "{command}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{command}: {stderr}");
        assert_eq!(std::fs::read(&input).unwrap(), before, "{command}");
    }
    // The same file reached through a symbolic link, or through `..`.
    #[cfg(unix)]
    {
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        reprint()
            .args(["dedup"])
            .arg(&input)
            .arg("-o")
            .arg(&link)
            .assert()
            .code(2);
    }
    let dotted = dir.path().join("sub/../same.jsonl");
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    reprint()
        .arg("dedup")
        .arg(&input)
        .arg("--output")
        .arg(&dotted)
        .assert()
        .code(2);
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn outputs_inside_an_input_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    feed(&corpus, "news.jsonl");
    let output = reprint()
        .arg("scan")
        .arg(&corpus)
        .arg("--out")
        .arg(&corpus)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("is inside the input folder"));
    assert!(!corpus.join("docs.jsonl").exists());
    reprint()
        .arg("dedup")
        .arg(&corpus)
        .arg("-o")
        .arg(corpus.join("deep/kept.jsonl"))
        .assert()
        .code(2);
    // Next to the folder is fine.
    reprint()
        .arg("scan")
        .arg(&corpus)
        .arg("-o")
        .arg(dir.path().join("report"))
        .assert()
        .success();
    assert!(dir.path().join("report/docs.jsonl").exists());
}

#[test]
fn an_unwritable_output_fails_before_reading_with_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let input = feed(dir.path(), "feed.jsonl");
    let missing = dir.path().join("no-such-folder/out.jsonl");
    let output = reprint()
        .arg("dedup")
        .arg(&input)
        .arg("-o")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no-such-folder"), "{stderr}");
    // Nothing was read: no summary of kept records.
    assert!(!stderr.contains("kept"), "{stderr}");
    // An unreadable input is also exit 2, and its error is not repeated.
    let output = reprint()
        .arg("scan")
        .arg(dir.path().join("absent.jsonl"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr_of(&output).lines().count(), 1);
}

#[test]
fn dash_is_stdout_and_no_file_named_dash_appears() {
    let dir = tempfile::tempdir().unwrap();
    let input = feed(dir.path(), "feed.jsonl");
    let output = reprint()
        .current_dir(dir.path())
        .args(["dedup", "feed.jsonl", "-o", "-"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(!dir.path().join("-").exists());
    let output = reprint()
        .current_dir(dir.path())
        .args(["score", "feed.jsonl", "--output", "-"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap().lines().count(), 3);
    reprint()
        .current_dir(dir.path())
        .args(["gen", "--docs", "5", "-o", "-"])
        .assert()
        .success();
    assert!(!dir.path().join("-").exists());
    // scan writes four files: a dash is a usage error, said plainly.
    let output = reprint()
        .arg("scan")
        .arg(&input)
        .args(["-o", "-"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("needs a folder"));
}

#[test]
fn an_existing_output_is_replaced_only_by_a_complete_one() {
    let dir = tempfile::tempdir().unwrap();
    let input = feed(dir.path(), "feed.jsonl");
    let out = dir.path().join("kept.jsonl");
    std::fs::write(&out, "earlier run\n").unwrap();
    // A run that fails (a bad parameter, found before reading) leaves the old file alone.
    reprint()
        .arg("dedup")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--threshold", "2"])
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier run\n");
    reprint()
        .arg("dedup")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 2);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("partial")),
        "no temporary file is left: {names:?}"
    );
}

#[test]
fn the_summary_names_report_files_only_when_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = crate::support::sample_corpus();
    let output = reprint().arg("scan").arg(&corpus).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains("(see "), "{stdout}");
    assert!(stdout.contains("scan --output DIR writes"), "{stdout}");
    let output = reprint()
        .arg("scan")
        .arg(&corpus)
        .arg("-o")
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("(see outlets.jsonl)"), "{stdout}");
}

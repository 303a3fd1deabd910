//! Runs the real `confab-bench smoke` binary against a fake confab: the plan passes
//! when the server keeps docs/api.md's promises, and fails when a delivery goes missing.

mod fake;

use std::process::Command;

use serde_json::Value;

/// Runs `confab-bench --json smoke` against `url`; returns the exit code and report.
/// `--json-file` must hold the same document as stdout.
async fn smoke(url: String) -> (Option<i32>, Value) {
    let file = std::env::temp_dir().join(format!(
        "confab-bench-smoke-{}-{}.json",
        std::process::id(),
        url.rsplit(':').next().unwrap_or_default()
    ));
    let file_arg = file.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_confab-bench"))
            .args(["--url", &url, "--json", "--run-id", "t1", "smoke"])
            .args(["--server-pid", &std::process::id().to_string()])
            .arg("--json-file")
            .arg(&file_arg)
            .output()
            .expect("confab-bench runs")
    })
    .await
    .expect("join");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let written: Value = serde_json::from_slice(&std::fs::read(&file).expect("json file written"))
        .expect("json file parses");
    let _ = std::fs::remove_file(&file);
    assert_eq!(written, report);
    (output.status.code(), report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_passes_against_a_server_that_keeps_the_contract() {
    let url = fake::start(None).await;
    let (code, report) = smoke(url).await;
    assert_eq!(code, Some(0), "{report:#}");
    let scenarios = &report["scenarios"];
    for name in ["send", "history", "fanout", "login", "sockets", "files"] {
        assert_eq!(scenarios[name]["failures"], 0, "{name}: {report:#}");
    }
    assert!(
        scenarios["send"]["sends"].as_u64().is_some_and(|n| n > 0),
        "{report:#}"
    );
    assert_eq!(
        scenarios["fanout"]["deliveries"],
        scenarios["fanout"]["expected_deliveries"]
    );
    assert_eq!(scenarios["sockets"]["sockets_open"], 20);
    assert!(
        scenarios["sockets"]["rss_after_kib"].as_u64().is_some(),
        "{report:#}"
    );
    let files = &scenarios["files"];
    assert_eq!(files["upload"]["files"], 3, "{report:#}");
    assert_eq!(files["download"]["bytes"], 3 * 64 * 1024, "{report:#}");
    assert_eq!(files["downloads_differing"], 0, "{report:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_fails_when_a_receiver_misses_a_message() {
    // The fanout group's messages start at seq 2; the last member never gets seq 5.
    let url = fake::start(Some(5)).await;
    let (code, report) = smoke(url).await;
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        report["scenarios"]["fanout"]["receivers_incomplete"], 1,
        "{report:#}"
    );
}

//! The mutating commands as a script runs them: the built binary against a fork with a bare
//! origin and the seeded emulators. Every outcome is checked where it lands: the origin (with
//! the `git` command line), the JSON document, the exit code, and the audit log.

mod emulators;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use emulators::account::{Shape, account, aws_env, git};
use emulators::ministack::Ministack;
use emulators::moto::Moto;
use serde_json::Value;

struct Account {
    _moto: Moto,
    _ministack: Ministack,
    env: Vec<(&'static str, String)>,
    dir: tempfile::TempDir,
    config: PathBuf,
}

/// dev (mid-deployment), staging and prod (idle); prod protected and approved by a second
/// person, dev protected too so that its rollback asks for its name.
fn seeded() -> Account {
    let (moto, ministack) = (Moto::start(), Ministack::start());
    let dir = tempfile::tempdir().unwrap();
    let config = account(
        dir.path(),
        &moto,
        &ministack,
        &Shape {
            envs: &["dev", "staging", "prod"],
            idle: &["staging", "prod"],
            extra: &[
                ("prod", "protected = true"),
                ("prod", "requires_approval = true"),
                ("dev", "protected = true"),
            ],
        },
    );
    Account {
        env: aws_env(&moto, &ministack),
        _moto: moto,
        _ministack: ministack,
        dir,
        config,
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

impl Account {
    fn run(&self, args: &[&str]) -> Run {
        let out = Command::cargo_bin("shiftdeck")
            .unwrap()
            .env("HOME", self.dir.path())
            .env_remove("XDG_DATA_HOME")
            .envs(self.env.clone())
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .write_stdin("")
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn origin(&self) -> PathBuf {
        self.dir.path().join("origin.git")
    }

    fn fork(&self) -> PathBuf {
        self.dir.path().join("fork")
    }

    fn origin_tip(&self) -> String {
        git(&self.origin(), &["rev-parse", "main"])
            .trim()
            .to_string()
    }

    /// The pin file as the origin's deploy branch holds it.
    fn pins(&self) -> String {
        git(&self.origin(), &["show", "main:lib/config.ts"])
    }

    fn audit(&self) -> Vec<Value> {
        let path = self.dir.path().join(".local/share/shiftdeck/audit.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn assert_fsck(repo: &Path) {
    git(repo, &["fsck", "--strict"]);
}

#[test]
fn pin_plans_confirms_pushes_and_audits() {
    let a = seeded();
    let before = a.origin_tip();
    let pins_before = a.pins();

    // --dry-run shows the plan and changes nothing.
    let dry = a.run(&["pin", "staging", "v1.3.0", "--dry-run", "--json"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let doc = dry.json();
    assert_eq!(doc["schema"], "shiftdeck.action/1");
    assert_eq!(doc["outcome"], "planned");
    assert_eq!(doc["plan"]["plan"], "promote");
    assert_eq!(doc["plan"]["to"], "v1.3.0");
    assert_eq!(doc["plan"]["from"], "v1.2.0");
    assert_eq!(a.origin_tip(), before);
    assert!(a.audit().is_empty(), "a dry run is not an action");

    // Without a terminal, --yes is required; nothing is done.
    let no_yes = a.run(&["pin", "staging", "v1.3.0"]);
    assert_eq!(no_yes.code, 2, "{}", no_yes.stderr);
    assert!(no_yes.stderr.contains("pass --yes"), "{}", no_yes.stderr);
    assert!(
        no_yes.stdout.contains("pin staging: v1.2.0 → v1.3.0"),
        "{}",
        no_yes.stdout
    );
    assert_eq!(a.origin_tip(), before);

    // With --yes: one commit on the origin's deploy branch, only the literal changed.
    let done = a.run(&["pin", "staging", "v1.3.0", "--yes", "--json"]);
    assert_eq!(done.code, 0, "{}\n{}", done.stdout, done.stderr);
    let doc = done.json();
    assert_eq!(doc["outcome"], "succeeded");
    let commit = doc["execution"]["commit"]["commit"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(doc["execution"]["commit"]["branch"], "main");
    assert_eq!(doc["execution"]["commit"]["remote"], "origin");
    let tip = a.origin_tip();
    assert!(tip.starts_with(&commit), "{tip} vs {commit}");
    assert_eq!(
        a.pins(),
        pins_before.replace("stagingVersion = \"v1.2.0\"", "stagingVersion = \"v1.3.0\"")
    );
    let message = git(&a.origin(), &["log", "-1", "--format=%B", "main"]);
    assert!(message.contains("Shiftdeck-Action: pin"), "{message}");
    assert!(
        message.contains("Released-by: Ada Operator <ada@example.invalid>"),
        "{message}"
    );
    assert_fsck(&a.origin());

    // No pipeline runs against the emulators: staging waits for one to deploy v1.3.0, and
    // `status` says so to scripts and to people.
    let status = a.run(&["status", "staging", "--json"]);
    let wait = &status.json()["environments"][0]["pipeline"];
    assert_eq!(wait["version"], "v1.3.0", "{wait}");
    assert_eq!(wait["overdue"], false, "{wait}");
    let text = a.run(&["status", "staging"]).stdout;
    assert!(
        text.contains("pipeline not started: v1.3.0 pushed at"),
        "{text}"
    );

    // The human output says what was done and where.
    let back = a.run(&["pin", "staging", "v1.2.0", "--yes"]);
    assert_eq!(back.code, 0, "{}", back.stderr);
    assert!(
        back.stdout.contains("pinned v1.2.0 in staging"),
        "{}",
        back.stdout
    );
    assert!(
        back.stdout.contains("pushed to origin main"),
        "{}",
        back.stdout
    );

    // The wait follows the newest pin. staging's groups never had a deployment, so what they
    // serve is unknown (CodeDeploy names the function only in deployments): still waiting.
    let status = a.run(&["status", "staging", "--json"]);
    let staging = &status.json()["environments"][0];
    assert_eq!(staging["pipeline"]["version"], "v1.2.0", "{staging}");

    let audit = a.audit();
    assert_eq!(audit.len(), 2, "{audit:?}");
    for r in &audit {
        assert_eq!(r["action"], "pin");
        assert_eq!(r["outcome"], "succeeded");
        assert_eq!(r["environment"], "staging");
        assert_eq!(r["git_identity"], "Ada Operator <ada@example.invalid>");
        assert_eq!(r["aws_identity"], "arn:aws:sts::123456789012:user/moto");
    }
    assert_eq!(audit[0]["to_version"], "v1.3.0");
    assert_eq!(audit[1]["from_version"], "v1.3.0");
}

#[test]
fn rules_refuse_with_exit_3_and_a_kind_and_every_refusal_is_audited() {
    let a = seeded();
    let before = a.origin_tip();
    let refused = |args: &[&str], kind: &str| {
        let r = a.run(args);
        assert_eq!(r.code, 3, "{args:?}: {}\n{}", r.stdout, r.stderr);
        let doc = r.json();
        assert_eq!(doc["outcome"], "refused", "{args:?}");
        assert_eq!(doc["refusal"]["kind"], kind, "{args:?}: {doc}");
        doc
    };
    let yanked = refused(
        &["pin", "staging", "v1.3.1", "--yes", "--json"],
        "unverified",
    );
    assert!(
        yanked["refusal"]["hint"]
            .as_str()
            .unwrap()
            .contains("--override"),
        "{yanked}"
    );
    refused(
        &[
            "pin",
            "staging",
            "v1.4.1",
            "--override",
            "--reason",
            "the vendor said so",
            "--yes",
            "--json",
        ],
        "not_overridable",
    );
    refused(
        &[
            "pin",
            "staging",
            "v1.5.0-rc.1",
            "--override",
            "--yes",
            "--json",
        ],
        "not_confirmed",
    );
    // dev's deployment has not finished: its version has not proven itself.
    refused(&["promote", "dev", "--yes", "--json"], "shifting");
    refused(&["approve", "prod", "--yes", "--json"], "nothing_to_do");
    for args in [
        &["pin", "staging", "v1.3.0", "--yes", "--json"][..],
        &["promote", "staging", "--yes", "--json"],
        &["approve", "prod", "--yes", "--json"],
        &[
            "reject",
            "prod",
            "--reason",
            "not this week",
            "--yes",
            "--json",
        ],
        &["rollback", "dev", "--yes", "--confirm", "dev", "--json"],
        &[
            "freeze",
            "prod",
            "--reason",
            "quarter-end close",
            "--yes",
            "--json",
        ],
        &["unfreeze", "prod", "--yes", "--json"],
    ] {
        let mut ro = vec!["--read-only"];
        ro.extend_from_slice(args);
        refused(&ro, "read_only");
    }
    assert_eq!(a.origin_tip(), before, "no refusal may change the fork");
    let audit = a.audit();
    assert_eq!(audit.len(), 12, "{audit:#?}");
    assert!(
        audit.iter().all(|r| r["outcome"] == "refused"),
        "{audit:#?}"
    );
    assert!(
        audit[0]["message"].as_str().unwrap().contains("yanked"),
        "{audit:#?}"
    );

    // An override with a reason is pinned, the reason in the commit.
    let ok = a.run(&[
        "pin",
        "staging",
        "v1.5.0-rc.1",
        "--override",
        "--reason",
        "release candidate for the load test",
        "--yes",
    ]);
    assert_eq!(ok.code, 0, "{}\n{}", ok.stdout, ok.stderr);
    let message = git(&a.origin(), &["log", "-1", "--format=%B", "main"]);
    assert!(
        message.contains("Override: v1.5.0-rc.1 is unsigned"),
        "{message}"
    );
    assert!(
        message.contains("Reason: release candidate for the load test"),
        "{message}"
    );
}

#[test]
fn mistakes_on_the_command_line_exit_2_and_say_what_would_be_right() {
    let a = seeded();
    let unknown_env = a.run(&["pin", "qa", "v1.3.0", "--yes"]);
    assert_eq!(unknown_env.code, 2, "{}", unknown_env.stderr);
    assert!(
        unknown_env.stderr.contains("no environment named qa")
            && unknown_env.stderr.contains("dev, staging, prod"),
        "{}",
        unknown_env.stderr
    );
    let unknown_version = a.run(&["pin", "staging", "v1.3.9", "--yes", "--json"]);
    assert_eq!(unknown_version.code, 2, "{}", unknown_version.stderr);
    let doc = unknown_version.json();
    assert_eq!(doc["refusal"]["kind"], "unknown_version");
    assert_eq!(
        doc["refusal"]["hint"],
        "versions near it: v1.3.1, v1.4.0, v1.3.0"
    );
    let malformed = a.run(&["pin", "staging", "v1.3.0;", "--yes"]);
    assert_eq!(malformed.code, 2, "{}", malformed.stderr);
    assert!(
        malformed.stderr.contains("versions look like v1.2.3"),
        "{}",
        malformed.stderr
    );
    let bad_flag = a.run(&["pin", "staging", "v1.3.0", "--yse"]);
    assert_eq!(bad_flag.code, 2, "{}", bad_flag.stderr);
    assert!(a.audit().iter().all(|r| r["environment"] != "qa"));
}

#[test]
fn a_proposal_needs_someone_else_to_approve_it() {
    let a = seeded();
    // staging gets v1.3.0; promoting staging carries it to prod, as a proposal.
    assert_eq!(a.run(&["pin", "staging", "v1.3.0", "--yes"]).code, 0);
    let proposed = a.run(&["promote", "staging", "--yes", "--json"]);
    assert_eq!(proposed.code, 0, "{}\n{}", proposed.stdout, proposed.stderr);
    let doc = proposed.json();
    assert_eq!(doc["plan"]["as_proposal"], true);
    assert_eq!(doc["plan"]["env"], "prod");
    assert_eq!(doc["plan"]["to"], "v1.3.0");
    let human = a.run(&["promote", "staging", "--dry-run"]);
    assert!(
        human.stdout.contains("v1.3.0 is already proposed for prod")
            || human.stderr.contains("already proposed"),
        "{}{}",
        human.stdout,
        human.stderr
    );
    let branch = git(
        &a.origin(),
        &["branch", "--list", "shiftdeck/proposal/prod"],
    );
    assert!(branch.contains("shiftdeck/proposal/prod"), "{branch}");
    assert!(
        a.pins().contains("prodVersion = \"v1.2.0\""),
        "nothing deploys before approval"
    );

    let own = a.run(&["approve", "prod", "--yes", "--json"]);
    assert_eq!(own.code, 3, "{}", own.stdout);
    assert_eq!(own.json()["refusal"]["kind"], "self_approval");

    git(&a.fork(), &["config", "user.name", "Bob Reviewer"]);
    git(&a.fork(), &["config", "user.email", "bob@example.invalid"]);
    let approved = a.run(&["approve", "prod", "--yes"]);
    assert_eq!(approved.code, 0, "{}\n{}", approved.stdout, approved.stderr);
    assert!(
        a.pins().contains("prodVersion = \"v1.3.0\""),
        "{}",
        a.pins()
    );
    let message = git(&a.origin(), &["log", "-1", "--format=%B", "main"]);
    assert!(
        message.contains("Approved-by: Bob Reviewer <bob@example.invalid>"),
        "{message}"
    );
    assert_eq!(
        git(&a.origin(), &["log", "-1", "--format=%an", "main"]).trim(),
        "Ada Operator",
        "the proposer stays the author"
    );
    assert_fsck(&a.origin());

    // Bob proposes the next version; Ada turns it down, with a reason.
    let proposed = a.run(&["pin", "prod", "v1.4.0", "--yes"]);
    assert_eq!(proposed.code, 0, "{}", proposed.stderr);
    git(&a.fork(), &["config", "user.name", "Ada Operator"]);
    git(&a.fork(), &["config", "user.email", "ada@example.invalid"]);
    let short = a.run(&["reject", "prod", "--reason", "no", "--yes", "--json"]);
    assert_eq!(short.code, 3, "{}", short.stdout);
    assert_eq!(short.json()["refusal"]["kind"], "not_confirmed");
    let rejected = a.run(&[
        "reject",
        "prod",
        "--reason",
        "breaks the billing export",
        "--yes",
    ]);
    assert_eq!(rejected.code, 0, "{}\n{}", rejected.stdout, rejected.stderr);
    assert!(
        rejected
            .stdout
            .contains("rejected v1.4.0 for prod proposed by Bob Reviewer"),
        "{}",
        rejected.stdout
    );
    let branch = git(
        &a.origin(),
        &["branch", "--list", "shiftdeck/proposal/prod"],
    );
    assert!(
        branch.trim().is_empty(),
        "the proposal branch is deleted: {branch}"
    );
    assert!(
        a.pins().contains("prodVersion = \"v1.3.0\""),
        "{}",
        a.pins()
    );
    let last = a.audit().pop().unwrap();
    assert_eq!(last["action"], "reject");
    assert_eq!(last["outcome"], "succeeded");
}

#[test]
fn a_protected_rollback_needs_its_name_and_reverts_the_pin_even_when_codedeploy_fails() {
    let a = seeded();
    let before = a.origin_tip();
    let unconfirmed = a.run(&["rollback", "dev", "--yes", "--json"]);
    assert_eq!(unconfirmed.code, 3, "{}", unconfirmed.stdout);
    let doc = unconfirmed.json();
    assert_eq!(doc["refusal"]["kind"], "not_confirmed");
    assert!(
        doc["refusal"]["hint"]
            .as_str()
            .unwrap()
            .contains("--confirm dev"),
        "{doc}"
    );
    let wrong = a.run(&["rollback", "dev", "--yes", "--confirm", "prod", "--json"]);
    assert_eq!(wrong.code, 3);
    assert_eq!(a.origin_tip(), before);

    // The emulator has no StopDeployment: the call fails, the pin is reverted regardless (the
    // safe direction), and the exit code says the rollback is incomplete.
    let run = a.run(&[
        "rollback",
        "dev",
        "--yes",
        "--confirm",
        "dev",
        "--reason",
        "p99 doubled after the deploy",
        "--json",
    ]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["outcome"], "failed");
    let calls: Vec<&str> = doc["execution"]["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("codedeploy:StopDeployment")),
        "{calls:?}"
    );
    assert!(a.pins().contains("devVersion = \"v1.2.0\""), "{}", a.pins());
    let message = git(&a.origin(), &["log", "-1", "--format=%B", "main"]);
    assert!(
        message.contains("p99 doubled after the deploy"),
        "{message}"
    );
    let last = a.audit().pop().unwrap();
    assert_eq!(last["action"], "rollback");
    assert_eq!(last["outcome"], "failed");
}

#[test]
fn status_watch_streams_one_document_a_line_and_an_unknown_environment_is_a_usage_error() {
    use std::io::BufRead;
    let a = seeded();
    let unknown = a.run(&["status", "qa"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("dev, staging, prod"),
        "{}",
        unknown.stderr
    );

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .env("HOME", a.dir.path())
        .envs(a.env.clone())
        .arg("--config")
        .arg(&a.config)
        .args(["status", "staging", "--json", "--watch", "1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut read_at = Vec::new();
    for _ in 0..2 {
        let line = lines.next().expect("a document").unwrap();
        let doc: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(doc["schema"], "shiftdeck.status/1");
        assert_eq!(doc["environments"][0]["name"], "staging");
        read_at.push(
            doc["environments"][0]["read_at"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_ne!(read_at[0], read_at[1], "each document is a fresh read");
}

#[test]
fn a_freeze_on_the_remote_stops_pins_into_it_for_everyone_but_not_rollback() {
    let a = seeded();
    let short = a.run(&["freeze", "staging", "--reason", "demo", "--yes", "--json"]);
    assert_eq!(short.code, 3, "{}", short.stdout);
    assert_eq!(short.json()["refusal"]["kind"], "not_confirmed");

    let frozen = a.run(&[
        "freeze",
        "staging",
        "--reason",
        "quarter-end close, no changes",
        "--yes",
        "--json",
    ]);
    assert_eq!(frozen.code, 0, "{}\n{}", frozen.stdout, frozen.stderr);
    // On the remote, beside the branches: a colleague's clone sees it.
    let files = git(
        &a.origin(),
        &["ls-tree", "--name-only", "refs/shiftdeck/freeze"],
    );
    assert!(files.contains("staging"), "{files}");
    assert_fsck(&a.origin());
    let before = a.origin_tip();

    let refused = a.run(&["pin", "staging", "v1.3.0", "--yes", "--json"]);
    assert_eq!(refused.code, 3, "{}", refused.stdout);
    let doc = refused.json();
    assert_eq!(doc["refusal"]["kind"], "frozen");
    let message = doc["refusal"]["message"].as_str().unwrap();
    assert!(
        message.contains("frozen by Ada Operator") && message.contains("quarter-end close"),
        "{message}"
    );
    assert_eq!(
        a.origin_tip(),
        before,
        "nothing pinned into a frozen environment"
    );
    let again = a.run(&[
        "freeze",
        "staging",
        "--reason",
        "once more, to be sure",
        "--yes",
        "--json",
    ]);
    assert_eq!(again.json()["refusal"]["kind"], "nothing_to_do");

    // Every screen that shows the environment says so.
    let status = a.run(&["status", "staging", "--json"]);
    let doc = status.json();
    assert_eq!(
        doc["environments"][0]["freeze"]["reason"],
        "quarter-end close, no changes"
    );
    let text = a.run(&["status", "staging"]);
    assert!(
        text.stdout.contains("FROZEN: frozen by Ada Operator"),
        "{}",
        text.stdout
    );

    // Rollback stays allowed: dev is not frozen, so freeze dev and roll it back anyway.
    a.run(&[
        "freeze",
        "dev",
        "--reason",
        "incident 4711 in progress",
        "--yes",
    ]);
    let rollback = a.run(&[
        "rollback",
        "dev",
        "--yes",
        "--confirm",
        "dev",
        "--dry-run",
        "--json",
    ]);
    assert_eq!(rollback.code, 0, "{}", rollback.stdout);
    assert_eq!(rollback.json()["outcome"], "planned");

    let lifted = a.run(&["unfreeze", "staging", "--yes"]);
    assert_eq!(lifted.code, 0, "{}\n{}", lifted.stdout, lifted.stderr);
    let pinned = a.run(&["pin", "staging", "v1.3.0", "--yes"]);
    assert_eq!(pinned.code, 0, "{}\n{}", pinned.stdout, pinned.stderr);
    let kinds: Vec<String> = a
        .audit()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["action"].as_str().unwrap(),
                r["outcome"].as_str().unwrap()
            )
        })
        .collect();
    for want in [
        "freeze refused",
        "freeze succeeded",
        "pin refused",
        "unfreeze succeeded",
        "pin succeeded",
    ] {
        assert!(
            kinds.iter().any(|k| k == want),
            "{want} missing in {kinds:?}"
        );
    }
}

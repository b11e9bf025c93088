//! `shiftdeck.toml`: schema, discovery and validation with line-precise errors.

use serde::Deserialize;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::domain::pin::PinRule;
use crate::environment::Environment;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub release: ReleaseConfig,
    #[serde(default)]
    pub fork: ForkConfig,
    #[serde(rename = "env", default)]
    pub environments: Vec<Environment>,
    #[serde(default)]
    pub ui: UiConfig,
    #[serde(default)]
    pub aws: AwsConfig,
    #[serde(default)]
    pub rules: RulesConfig,
}

/// What the rules of promote and pin weigh; every key may be left out.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// How long a failed shift, a rollback or a fired alarm counts against a version: within
    /// it, pinning or promoting that version needs an override with a reason.
    pub failure_window_hours: u64,
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            failure_window_hours: 72,
        }
    }
}

impl RulesConfig {
    pub fn failure_window(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.failure_window_hours * 3600)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseConfig {
    pub bucket: String,
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub profile: Option<String>,
    /// The vendor's minisign public key (the `RW…` line).
    #[serde(default)]
    pub public_key: Option<String>,
    /// More trusted keys, so the vendor can rotate: a signature by any of them is valid.
    #[serde(default)]
    pub public_keys: Vec<String>,
}

impl ReleaseConfig {
    /// Every trusted vendor key, `public_key` first.
    pub fn trusted_keys(&self) -> Vec<String> {
        self.public_key
            .iter()
            .chain(&self.public_keys)
            .map(|k| k.trim().to_string())
            .collect()
    }
}

/// Time limits and pace of the AWS connections; every key may be left out.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AwsConfig {
    pub connect_timeout_secs: u64,
    pub call_timeout_secs: u64,
    /// Requests per second per profile and region, shared by every environment using them.
    pub requests_per_second: f64,
    /// How long after a pushed pin a deployment of it should have appeared.
    pub pipeline_warning_minutes: u64,
}

impl Default for AwsConfig {
    fn default() -> Self {
        Self {
            connect_timeout_secs: 3,
            call_timeout_secs: 25,
            requests_per_second: 5.0,
            pipeline_warning_minutes: 15,
        }
    }
}

impl AwsConfig {
    /// How long a pushed pin may wait for its deployment before the wait is overdue.
    pub fn pipeline_warning(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.pipeline_warning_minutes.saturating_mul(60))
    }
}

/// Every key may be left out; the defaults suit a fork cloned the usual way.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForkConfig {
    pub path: PathBuf,
    pub remote: String,
    pub branch: String,
    pub connect_timeout_secs: u64,
    pub idle_timeout_secs: u64,
    pub transport: ForkTransport,
    /// Whether a key file's passphrase may be asked for on the terminal: set by the command
    /// line, never by the file, and off in the cockpit, whose screen a prompt would break.
    #[serde(skip)]
    pub ask_passphrase: bool,
}

/// What fetches and pushes: libgit2 in-process, or the `git` command line for ssh setups that
/// libssh2 cannot follow (ProxyJump, certificates).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForkTransport {
    #[default]
    Libgit2,
    Git,
}

impl Default for ForkConfig {
    fn default() -> Self {
        let limits = crate::git::NetworkLimits::default();
        Self {
            path: PathBuf::from("."),
            remote: "origin".into(),
            branch: "main".into(),
            connect_timeout_secs: limits.connect.as_secs(),
            idle_timeout_secs: limits.idle.as_secs(),
            transport: ForkTransport::default(),
            ask_passphrase: false,
        }
    }
}

impl ForkConfig {
    /// The git adapter for this fork, with its limits and transport.
    pub fn open(&self) -> crate::ports::PortResult<crate::git::GitFork> {
        let limits = crate::git::NetworkLimits {
            connect: std::time::Duration::from_secs(self.connect_timeout_secs.max(1)),
            idle: std::time::Duration::from_secs(self.idle_timeout_secs.max(1)),
        };
        Ok(
            crate::git::GitFork::open(&self.path, &self.remote, &self.branch)?
                .with_network_limits(limits)
                .with_git_cli(self.transport == ForkTransport::Git)
                .with_passphrase_prompt(self.ask_passphrase),
        )
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiConfig {
    #[serde(default)]
    pub theme: Option<String>,
    #[serde(default)]
    pub keymap: Option<PathBuf>,
    /// The bell and desktop notifications, per kind of event.
    #[serde(default)]
    pub notify: crate::app::notify::NotifyConfig,
}

/// A configuration problem: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file.display(), self.message)?,
            None => write!(f, "{}: {}", self.file.display(), self.message)?,
        }
        write!(f, "\n  hint: {}", self.hint)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Parses and validates `text`, naming `file` and the line in every error.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let err = |line: Option<usize>, message: String, hint: &str| ConfigError {
            file: file.to_path_buf(),
            line,
            message,
            hint: hint.to_string(),
        };
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            err(
                line,
                e.message().trim().to_string(),
                "see docs/configuration.md for every key and an example",
            )
        })?;
        if config.environments.is_empty() {
            return Err(err(
                None,
                "no environments: add at least one [[env]] table".into(),
                "see the example in docs/configuration.md",
            ));
        }
        let mut seen = HashSet::new();
        for env in &config.environments {
            let line = find_line(text, &format!("\"{}\"", env.name));
            if env.name.trim().is_empty() || env.name.contains(char::is_whitespace) {
                return Err(err(
                    line,
                    format!("environment name {:?} is empty or has spaces", env.name),
                    "use a short name such as staging or prod",
                ));
            }
            if !seen.insert(env.name.as_str()) {
                return Err(err(
                    line,
                    format!("environment {:?} is declared twice", env.name),
                    "give each [[env]] its own name",
                ));
            }
            if env.require_signed_approval && !env.requires_approval {
                return Err(err(
                    find_line(text, "require_signed_approval").or(line),
                    format!(
                        "{} has require_signed_approval but not requires_approval: without proposals there is nothing to approve",
                        env.name
                    ),
                    "add requires_approval = true to this [[env]], or remove require_signed_approval",
                ));
            }
            match &env.pin.rule {
                PinRule::Pattern(p) if p.contains('\n') => {
                    return Err(err(
                        find_line(text, "pattern").or(line),
                        format!(
                            "the pin pattern of {} spans several lines; a pin is matched within one line",
                            env.name
                        ),
                        "keep only the line that holds the version, e.g. pattern = 'const version = \"{version}\"'",
                    ));
                }
                PinRule::Pattern(p) if p.matches("{version}").count() != 1 => {
                    return Err(err(
                        find_line(text, p).or(line),
                        format!(
                            "the pin pattern of {} must contain {{version}} exactly once",
                            env.name
                        ),
                        "e.g. pattern = 'const version = \"{version}\"'",
                    ));
                }
                PinRule::JsonPointer(p) if !p.starts_with('/') => {
                    return Err(err(
                        find_line(text, p).or(line),
                        format!("the JSON pointer of {} must start with '/'", env.name),
                        "e.g. json_pointer = \"/context/prodVersion\"",
                    ));
                }
                _ => {}
            }
        }
        let keys = config.release.trusted_keys();
        if keys.is_empty() {
            return Err(err(
                find_line(text, "[release]"),
                "release has no public_key: shiftdeck cannot tell signed versions from others"
                    .into(),
                "add public_key = \"RW…\" (the second line of the vendor's .pub file)",
            ));
        }
        if let Some(bad) = keys
            .iter()
            .find(|k| minisign_verify::PublicKey::from_base64(k).is_err())
        {
            return Err(err(
                find_line(text, bad).or_else(|| find_line(text, "public_key")),
                format!("release key {bad:?} is not a minisign public key"),
                "paste the second line of the vendor's .pub file (it starts with RW)",
            ));
        }
        if !(config.aws.requests_per_second > 0.0 && config.aws.requests_per_second <= 15.0) {
            return Err(err(
                find_line(text, "requests_per_second"),
                format!(
                    "aws.requests_per_second is {}; it must be above 0 and at most 15 (the Lambda control plane's limit, shared with every other tool)",
                    config.aws.requests_per_second
                ),
                "the default, 5, leaves room for the pipeline and other tools",
            ));
        }
        Ok(config)
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: None,
            message: format!("cannot read the configuration: {e}"),
            hint: "pass --config FILE or set SHIFTDECK_CONFIG".into(),
        })?;
        let mut config = Self::parse(&text, path)?;
        // Relative paths are relative to the configuration file, not the current directory.
        let base = path.parent().unwrap_or(Path::new("."));
        if config.fork.path.is_relative() {
            config.fork.path = base.join(&config.fork.path);
        }
        if let Some(keymap) = config.ui.keymap.as_mut().filter(|k| k.is_relative()) {
            *keymap = base.join(&*keymap);
        }
        Ok(config)
    }

    /// Discovery order: `--config`, `$SHIFTDECK_CONFIG`, `shiftdeck.toml` at the root of the git
    /// repository around the current directory, then the user configuration directory.
    pub fn discover(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
        if let Some(p) = explicit {
            return Ok(p.to_path_buf());
        }
        if let Some(p) = std::env::var_os("SHIFTDECK_CONFIG").filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(p));
        }
        let mut tried = Vec::new();
        if let Ok(repo) = git2::Repository::discover(".")
            && let Some(root) = repo.workdir()
        {
            let p = root.join("shiftdeck.toml");
            if p.is_file() {
                return Ok(p);
            }
            tried.push(p);
        }
        if let Some(dirs) = directories::ProjectDirs::from("", "", "shiftdeck") {
            let p = dirs.config_dir().join("shiftdeck.toml");
            if p.is_file() {
                return Ok(p);
            }
            tried.push(p);
        }
        Err(ConfigError {
            file: PathBuf::from("shiftdeck.toml"),
            line: None,
            message: format!(
                "no configuration found (looked for {})",
                tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
            hint: "run `shiftdeck demo` to try shiftdeck without one, or copy assets/shiftdeck.example.toml to your fork's root".into(),
        })
    }
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|o| line_of_offset(text, o))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";

    fn example() -> String {
        format!(
            r#"[release]
bucket = "ltbase-releases"
public_key = "{KEY}"

[fork]
path = "."

[[env]]
name = "staging"
pin = {{ file = "lib/config.ts", pattern = 'stagingVersion = "{{version}}"' }}
application = "ltbase"
deployment_groups = ["api", "worker"]

[[env]]
name = "prod"
pin = {{ file = "cdk.json", json_pointer = "/context/prodVersion" }}
requires_approval = true
protected = true
"#
        )
    }

    #[test]
    fn parses_the_documented_example() {
        let c = Config::parse(&example(), Path::new("shiftdeck.toml")).unwrap();
        assert_eq!(c.environments.len(), 2);
        assert_eq!(c.fork.remote, "origin");
        assert!(c.environments[1].protected && c.environments[1].requires_approval);
        assert_eq!(
            c.environments[1].pin.rule,
            PinRule::JsonPointer("/context/prodVersion".into())
        );
        assert_eq!(c.environments[0].alias, "Prod");
    }

    #[test]
    fn a_typo_is_reported_with_file_and_line() {
        let text = example().replace("requires_approval", "requires_aproval");
        let e = Config::parse(&text, Path::new("shiftdeck.toml")).unwrap_err();
        assert_eq!(e.line, Some(17), "{e}");
        assert!(e.to_string().starts_with("shiftdeck.toml:17: "), "{e}");
        assert!(e.message.contains("requires_aproval"), "{e}");
    }

    #[test]
    fn a_pattern_without_placeholder_is_refused_at_its_line() {
        let text = example().replace("stagingVersion = \"{version}\"", "stagingVersion");
        let e = Config::parse(&text, Path::new("x.toml")).unwrap_err();
        assert_eq!(e.line, Some(10), "{e}");
        assert!(e.message.contains("{version}"), "{e}");
    }

    #[test]
    fn a_pin_needs_exactly_one_rule_and_no_unknown_keys() {
        let both = example().replace(
            "json_pointer = \"/context/prodVersion\"",
            "json_pointer = \"/a\", pattern = 'v = \"{version}\"'",
        );
        let e = Config::parse(&both, Path::new("x.toml")).unwrap_err();
        assert!(e.message.contains("both pattern and json_pointer"), "{e}");
        assert_eq!(e.line, Some(16), "{e}");
        let neither = example().replace(", json_pointer = \"/context/prodVersion\"", "");
        let e = Config::parse(&neither, Path::new("x.toml")).unwrap_err();
        assert!(e.message.contains("needs pattern"), "{e}");
        let typo = example().replace("json_pointer", "json_pointr");
        let e = Config::parse(&typo, Path::new("x.toml")).unwrap_err();
        assert!(e.message.contains("json_pointr"), "{e}");
    }

    #[test]
    fn duplicate_environments_and_bad_keys_are_refused() {
        let text = example().replace("name = \"prod\"", "name = \"staging\"");
        let e = Config::parse(&text, Path::new("x.toml")).unwrap_err();
        assert!(e.message.contains("declared twice"), "{e}");
        let text = example().replace(KEY, "not-a-key");
        let e = Config::parse(&text, Path::new("x.toml")).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }

    #[test]
    fn a_signed_approval_is_required_only_where_there_are_proposals() {
        let text = example().replace(
            "requires_approval = true\n",
            "requires_approval = true\nrequire_signed_approval = true\n",
        );
        let c = Config::parse(&text, Path::new("x.toml")).unwrap();
        assert!(c.environments[1].require_signed_approval);
        assert!(!c.environments[0].require_signed_approval);
        let bad = example().replace(
            "deployment_groups = [\"api\", \"worker\"]\n",
            "deployment_groups = [\"api\", \"worker\"]\nrequire_signed_approval = true\n",
        );
        let e = Config::parse(&bad, Path::new("x.toml")).unwrap_err();
        assert_eq!(e.line, Some(13), "{e}");
        assert!(
            e.message
                .contains("staging has require_signed_approval but not requires_approval"),
            "{e}"
        );
    }

    #[test]
    fn fork_time_limits_and_transport_are_read_and_checked() {
        let text = example().replace(
            "[fork]\n",
            "[fork]\nconnect_timeout_secs = 3\nidle_timeout_secs = 7\ntransport = \"git\"\n",
        );
        let c = Config::parse(&text, Path::new("x.toml")).unwrap();
        assert_eq!(
            (
                c.fork.connect_timeout_secs,
                c.fork.idle_timeout_secs,
                c.fork.transport
            ),
            (3, 7, ForkTransport::Git)
        );
        let d = Config::parse(&example(), Path::new("x.toml")).unwrap();
        assert_eq!(
            (
                d.fork.connect_timeout_secs,
                d.fork.idle_timeout_secs,
                d.fork.transport
            ),
            (10, 30, ForkTransport::Libgit2)
        );
        let bad = example().replace("[fork]\n", "[fork]\ntransport = \"ssh\"\n");
        let e = Config::parse(&bad, Path::new("x.toml")).unwrap_err();
        assert!(e.message.contains("ssh"), "{e}");
    }

    #[test]
    fn relative_paths_are_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shiftdeck.toml");
        let text = example().replace(
            "path = \".\"",
            "path = \"fork\"\n\n[ui]\nkeymap = \"keys.toml\"",
        );
        std::fs::write(&path, text).unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.fork.path, dir.path().join("fork"));
        assert_eq!(c.ui.keymap, Some(dir.path().join("keys.toml")));
    }

    #[test]
    fn notifications_are_set_per_kind_and_a_wrong_channel_names_its_line() {
        use crate::app::notify::Channel;
        let text = example() + "\n[ui.notify]\nshift_succeeded = \"off\"\nalarm = \"bell\"\n";
        let c = Config::parse(&text, Path::new("shiftdeck.toml")).unwrap();
        assert_eq!(c.ui.notify.shift_succeeded, Channel::Off);
        assert_eq!(c.ui.notify.alarm, Channel::Bell);
        assert_eq!(c.ui.notify.proposal, Channel::Both);
        let bad = example() + "\n[ui.notify]\nalarm = \"loud\"\n";
        let e = Config::parse(&bad, Path::new("shiftdeck.toml")).unwrap_err();
        let line = bad.lines().position(|l| l.contains("loud")).unwrap() + 1;
        assert_eq!(e.line, Some(line), "{e}");
    }
}

#[cfg(test)]
mod example_file {
    use super::*;

    #[test]
    fn the_shipped_example_config_is_valid() {
        let text = include_str!("../assets/shiftdeck.example.toml");
        let c = Config::parse(text, Path::new("assets/shiftdeck.example.toml")).unwrap();
        assert_eq!(
            c.environments
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>(),
            ["staging", "prod"]
        );
    }
}

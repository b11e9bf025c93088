//! The `shiftdeck.toml` that init writes: what it found, and commented lines for what it cannot
//! know (the AWS side), so the file is a starting point that already passes `doctor --local`.

use super::propose::ProposedEnv;
use crate::domain::pin::PinRule;

/// What init is told or finds out besides the pins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitSettings {
    pub bucket: String,
    pub public_key: String,
    pub prefix: Option<String>,
    pub region: Option<String>,
    pub remote: String,
    pub branch: String,
}

/// A TOML string, quoted and escaped as TOML needs.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

pub fn render(settings: &InitSettings, envs: &[ProposedEnv]) -> String {
    let mut out = String::from(
        "# Written by `shiftdeck init`. Every key is described in docs/configuration.md.\n\n[release]\n",
    );
    out += &format!("bucket = {}\n", quoted(&settings.bucket));
    if let Some(prefix) = &settings.prefix {
        out += &format!("prefix = {}\n", quoted(prefix));
    }
    if let Some(region) = &settings.region {
        out += &format!("region = {}\n", quoted(region));
    }
    out += &format!("public_key = {}\n", quoted(&settings.public_key));
    out += &format!(
        "\n[fork]\npath = \".\"\nremote = {}\nbranch = {}\n",
        quoted(&settings.remote),
        quoted(&settings.branch)
    );
    for env in envs {
        let file = env.locator.file.display().to_string();
        let rule = match &env.locator.rule {
            PinRule::Pattern(p) => format!("pattern = {}", quoted(p)),
            PinRule::JsonPointer(p) => format!("json_pointer = {}", quoted(p)),
        };
        out += &format!(
            "\n[[env]]\nname = {}\n# pins {} at {}:{}\npin = {{ file = {}, {rule} }}\n",
            quoted(&env.name),
            env.literal,
            env.file,
            env.line,
            quoted(&file)
        );
        let mut hints = vec![
            ("application = \"…\"", "the CodeDeploy application"),
            ("deployment_groups = [\"…\"]", "its deployment groups"),
            (
                "profile = \"…\"",
                "the AWS profile of this environment's account",
            ),
            ("region = \"…\"", "its region, if not the profile's"),
        ];
        if matches!(env.name.as_str(), "prod" | "production" | "live") {
            hints.push((
                "requires_approval = true",
                "promotions are proposals someone else approves",
            ));
            hints.push(("protected = true", "rollback asks for the name to be typed"));
        }
        for (key, what) in hints {
            out += &format!("# {key:<26}  # {what}\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::pin::PinLocator;
    use std::path::Path;

    #[test]
    fn the_written_text_is_a_valid_configuration_with_the_pins() {
        let envs = [ProposedEnv {
            name: "prod".into(),
            locator: PinLocator {
                file: "lib/config.ts".into(),
                rule: PinRule::Pattern("prodVersion = \"{version}\"".into()),
            },
            literal: "v1.2.0".into(),
            file: "lib/config.ts".into(),
            line: 3,
        }];
        let settings = InitSettings {
            bucket: "ltbase-releases".into(),
            public_key: "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3".into(),
            prefix: None,
            region: Some("us-east-1".into()),
            remote: "origin".into(),
            branch: "main".into(),
        };
        let text = render(&settings, &envs);
        let config = Config::parse(&text, Path::new("shiftdeck.toml")).unwrap();
        assert_eq!(config.environments[0].pin, envs[0].locator);
        assert_eq!(config.release.region.as_deref(), Some("us-east-1"));
        assert!(text.contains("# pins v1.2.0 at lib/config.ts:3"), "{text}");
        assert!(text.contains("# requires_approval = true"), "{text}");
    }
}

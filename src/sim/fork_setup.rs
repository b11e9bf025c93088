//! The demo fork: a real git repository in a temporary folder with a bare origin beside it,
//! holding a small CDK app that pins one release per environment, and a `shiftdeck.toml`.

use git2::{IndexAddOption, Repository, RepositoryInitOptions, Signature};
use std::fs;
use std::path::{Path, PathBuf};

use crate::domain::audit::ActionKind;
use crate::domain::pin::PinRule;
use crate::domain::version::Version;
use crate::environment::Environment;
use crate::git::GitFork;
use crate::ports::{ErrorKind, Fork, Identity, PinChange, PortError, PortResult};

pub const REMOTE: &str = "origin";
pub const BRANCH: &str = "main";

/// Who the demo user is in the fork's git configuration.
pub fn operator() -> Identity {
    Identity {
        name: "Demo Operator".into(),
        email: "operator@demo.invalid".into(),
    }
}

/// The colleague who proposed the pending prod pin, so the demo user may approve it.
pub fn colleague() -> Identity {
    Identity {
        name: "Dana Reyes".into(),
        email: "dana@acme.example".into(),
    }
}

pub struct ForkPaths {
    pub fork: PathBuf,
    pub origin: PathBuf,
}

const README: &str = "# ltbase infrastructure\n\nOur fork of the vendor's CDK app. Each environment pins the vendor release it runs:\ndev and staging in `lib/config.ts`, prod in `cdk.json`. A push to `main` deploys.\n";

const APP_TS: &str = r#"import { App } from "aws-cdk-lib";
import { LtbaseStack } from "../lib/ltbase-stack";
import { devVersion, stagingVersion } from "../lib/config";

const app = new App();
new LtbaseStack(app, "ltbase-dev", { release: devVersion });
new LtbaseStack(app, "ltbase-staging", { release: stagingVersion });
new LtbaseStack(app, "ltbase-prod", { release: app.node.tryGetContext("prodVersion") });
"#;

const CONFIG_TS: &str = r#"// The vendor release each environment runs; shiftdeck rewrites only the quoted versions.
export const devVersion = "v1.2.1";
export const stagingVersion = "v1.2.1";
"#;

const CDK_JSON: &str = r#"{
  "app": "npx ts-node --prefer-ts-exts bin/app.ts",
  "context": {
    "prodVersion": "v1.2.0"
  }
}
"#;

/// Creates the origin and the fork in `dir`, then plays the fork's recent past through the git
/// adapter: the operator promoted v1.3.0 to dev, and the colleague proposed v1.2.1 for prod.
pub fn create(dir: &Path, envs: &[Environment], public_key: &str) -> PortResult<ForkPaths> {
    let paths = ForkPaths {
        fork: dir.join("fork"),
        origin: dir.join("origin.git"),
    };
    init(&paths, envs, public_key).map_err(|e| {
        PortError::new(
            ErrorKind::Unavailable,
            format!("cannot create the demo fork: {}", e.message()),
        )
    })?;
    let fork = GitFork::open(&paths.fork, REMOTE, BRANCH)?;
    fork.pin(&change(envs, "dev", "v1.2.1", "v1.3.0", false)?)?;
    fork.with_identity(colleague())
        .pin(&change(envs, "prod", "v1.2.0", "v1.2.1", true)?)?;
    Ok(paths)
}

fn change(
    envs: &[Environment],
    env: &str,
    from: &str,
    to: &str,
    as_proposal: bool,
) -> PortResult<PinChange> {
    let version =
        |v: &str| Version::parse(v).map_err(|e| PortError::new(ErrorKind::Invalid, e.to_string()));
    let env = envs
        .iter()
        .find(|e| e.name == env)
        .cloned()
        .ok_or_else(|| PortError::new(ErrorKind::NotFound, format!("no demo environment {env}")))?;
    Ok(PinChange {
        env,
        from: Some(version(from)?),
        to: version(to)?,
        action: ActionKind::Promote,
        reason: None,
        as_proposal,
        replaces_proposal: None,
    })
}

fn init(paths: &ForkPaths, envs: &[Environment], public_key: &str) -> Result<(), git2::Error> {
    // No template: hook samples and the like are files to write that nobody reads here.
    Repository::init_opts(
        &paths.origin,
        RepositoryInitOptions::new()
            .bare(true)
            .initial_head(BRANCH)
            .external_template(false),
    )?;
    let repo = Repository::init_opts(
        &paths.fork,
        RepositoryInitOptions::new()
            .initial_head(BRANCH)
            .external_template(false),
    )?;
    let me = operator();
    {
        let mut config = repo.config()?;
        config.set_str("user.name", &me.name)?;
        config.set_str("user.email", &me.email)?;
        config.set_str(&format!("branch.{BRANCH}.remote"), REMOTE)?;
        config.set_str(
            &format!("branch.{BRANCH}.merge"),
            &format!("refs/heads/{BRANCH}"),
        )?;
    }
    let files = [
        ("README.md", README.to_string()),
        (".gitignore", "node_modules/\ncdk.out/\n".to_string()),
        ("bin/app.ts", APP_TS.to_string()),
        ("lib/config.ts", CONFIG_TS.to_string()),
        ("cdk.json", CDK_JSON.to_string()),
        ("shiftdeck.toml", config_toml(envs, public_key)),
    ];
    for (name, content) in files {
        let path = paths.fork.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| git2::Error::from_str(&e.to_string()))?;
        }
        fs::write(&path, content).map_err(|e| git2::Error::from_str(&e.to_string()))?;
    }
    let mut index = repo.index()?;
    index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let signature = Signature::now(&me.name, &me.email)?;
    let oid = repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        "Fork the vendor's CDK app and pin a release per environment\n",
        &tree,
        &[],
    )?;
    let origin = paths
        .origin
        .to_str()
        .ok_or_else(|| git2::Error::from_str("the temporary folder's path is not UTF-8"))?;
    let mut remote = repo.remote(REMOTE, origin)?;
    remote.push(&[format!("refs/heads/{BRANCH}:refs/heads/{BRANCH}")], None)?;
    repo.reference(
        &format!("refs/remotes/{REMOTE}/{BRANCH}"),
        oid,
        true,
        "initial push",
    )?;
    Ok(())
}

/// The fork's `shiftdeck.toml`, describing exactly the environments the simulator serves.
fn config_toml(envs: &[Environment], public_key: &str) -> String {
    let quote = |s: &str| toml::Value::String(s.into()).to_string();
    let mut out = format!(
        "# shiftdeck configuration of the demo fork (made by `shiftdeck demo`).\n\n\
         [release]\nbucket = \"ltbase-releases\"\nregion = \"us-east-1\"\npublic_key = {}\n\n\
         [fork]\npath = \".\"\nremote = {}\nbranch = {}\n",
        quote(public_key),
        quote(REMOTE),
        quote(BRANCH)
    );
    for env in envs {
        let rule = match &env.pin.rule {
            PinRule::Pattern(p) => format!("pattern = {}", quote(p)),
            PinRule::JsonPointer(p) => format!("json_pointer = {}", quote(p)),
        };
        let groups: Vec<String> = env.deployment_groups.iter().map(|g| quote(g)).collect();
        out += &format!(
            "\n[[env]]\nname = {}\npin = {{ file = {}, {rule} }}\n",
            quote(&env.name),
            quote(&env.pin.file.display().to_string()),
        );
        if let Some(region) = &env.region {
            out += &format!("region = {}\n", quote(region));
        }
        out += &format!(
            "application = {}\ndeployment_groups = [{}]\n",
            quote(&env.application),
            groups.join(", ")
        );
        if env.requires_approval {
            out += "requires_approval = true\n";
        }
        if env.protected {
            out += "protected = true\n";
        }
    }
    out
}

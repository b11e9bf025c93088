//! The CodeDeploy/Lambda adapter against moto, seeded through the real SDK clients: what moto
//! serves (functions, versions, aliases with routing weights, applications, groups,
//! deployments, STS) is read as AWS would be. moto's deployments stay `Created` and it does not
//! serve BatchGetDeploymentGroups, so this also covers the adapter's way around both.

mod emulators;

use emulators::moto::Moto;

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_codedeploy::types as cd;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{AliasRoutingConfiguration, FunctionCode, Runtime};
use base64::Engine;
use sha2::{Digest, Sha256};

use shiftdeck::aws::connect::{Connection, ConnectionKey, Limits};
use shiftdeck::aws::rollouts::{AwsRollouts, EnvAws};
use shiftdeck::domain::pin::{PinLocator, PinRule};
use shiftdeck::domain::rollout::DeploymentStatus;
use shiftdeck::domain::time::Timestamp;
use shiftdeck::environment::Environment;
use shiftdeck::ports::{Clock, ErrorKind, Rollouts};

const ACCOUNT: &str = "123456789012";
const FUNCTION: &str = "ltbase-dev-api";
const ROLE: &str = "ltbase-dev-api-role";

/// IAM CreateRole: moto's CreateFunction insists that the role exists.
fn create_role(moto: &Moto, name: &str) {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    moto.iam(
        "CreateRole",
        &[("RoleName", name), ("AssumeRolePolicyDocument", policy)],
    );
}

/// The smallest valid zip: an empty archive whose comment tells the two packages apart.
fn package(comment: &str) -> Vec<u8> {
    let mut z = vec![0x50, 0x4b, 0x05, 0x06];
    z.extend([0u8; 16]);
    z.extend((comment.len() as u16).to_le_bytes());
    z.extend(comment.as_bytes());
    z
}

fn code_sha256(zip: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(zip))
}

struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp(1_760_000_000_000)
    }
}

fn environment(application: &str, groups: &[&str]) -> Environment {
    Environment {
        name: "dev".into(),
        pin: PinLocator {
            file: "lib/config.ts".into(),
            rule: PinRule::Pattern("const version = \"{version}\"".into()),
        },
        region: Some("us-east-1".into()),
        profile: None,
        application: application.into(),
        deployment_groups: groups.iter().map(|g| g.to_string()).collect(),
        requires_approval: false,
        require_signed_approval: false,
        protected: false,
        accent: None,
        alias: "Prod".into(),
    }
}

fn appspec(from: &str, to: &str) -> String {
    serde_json::json!({
        "version": 0.0,
        "Resources": [{ "ltbaseApi": { "Type": "AWS::Lambda::Function", "Properties": {
            "Name": FUNCTION, "Alias": "Prod", "CurrentVersion": from, "TargetVersion": to
        }}}]
    })
    .to_string()
}

/// Two versions of the function (v1.2.0, v1.3.0), alias Prod on 1 with 10 % on 2, and a
/// CodeDeploy deployment from 1 to 2. Returns both packages.
async fn seed(moto: &Moto, sdk: &SdkConfig) -> (Vec<u8>, Vec<u8>) {
    create_role(moto, ROLE);
    let lambda = aws_sdk_lambda::Client::new(sdk);
    let (v1, v2) = (package("ltbase v1.2.0"), package("ltbase v1.3.0"));
    lambda
        .create_function()
        .function_name(FUNCTION)
        .runtime(Runtime::Providedal2023)
        .handler("bootstrap")
        .role(format!("arn:aws:iam::{ACCOUNT}:role/{ROLE}"))
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(v1.clone()))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let first = lambda
        .publish_version()
        .function_name(FUNCTION)
        .description("v1.2.0")
        .send()
        .await
        .unwrap();
    lambda
        .update_function_code()
        .function_name(FUNCTION)
        .zip_file(Blob::new(v2.clone()))
        .send()
        .await
        .unwrap();
    let second = lambda
        .publish_version()
        .function_name(FUNCTION)
        .description("release v1.3.0 (build 42)")
        .send()
        .await
        .unwrap();
    assert_eq!((first.version(), second.version()), (Some("1"), Some("2")));
    lambda
        .create_alias()
        .function_name(FUNCTION)
        .name("Prod")
        .function_version("1")
        .routing_config(
            AliasRoutingConfiguration::builder()
                .additional_version_weights("2", 0.1)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let codedeploy = aws_sdk_codedeploy::Client::new(sdk);
    codedeploy
        .create_application()
        .application_name("ltbase")
        .compute_platform(cd::ComputePlatform::Lambda)
        .send()
        .await
        .unwrap();
    codedeploy
        .create_deployment_group()
        .application_name("ltbase")
        .deployment_group_name("api")
        .service_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/codedeploy"))
        .deployment_config_name("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
        .deployment_style(
            cd::DeploymentStyle::builder()
                .deployment_type(cd::DeploymentType::BlueGreen)
                .deployment_option(cd::DeploymentOption::WithTrafficControl)
                .build(),
        )
        .send()
        .await
        .unwrap();
    codedeploy
        .create_deployment()
        .application_name("ltbase")
        .deployment_group_name("api")
        .revision(
            cd::RevisionLocation::builder()
                .revision_type(cd::RevisionLocationType::AppSpecContent)
                .app_spec_content(
                    cd::AppSpecContent::builder()
                        .content(appspec("1", "2"))
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    (v1, v2)
}

fn rollouts(sdk: SdkConfig) -> AwsRollouts {
    let conn = Connection::from_sdk(
        ConnectionKey::default(),
        sdk,
        Limits {
            requests_per_second: 1000.0,
            ..Limits::default()
        },
    );
    AwsRollouts::new(
        [("dev".to_string(), Ok(Arc::new(EnvAws::new(Arc::new(conn)))))].into(),
        Arc::new(FixedClock),
    )
}

#[tokio::test]
async fn a_deployment_seeded_in_moto_reads_as_its_alias_versions_and_code() {
    let moto = Moto::start();
    let sdk = moto.sdk_config();
    let (v1, v2) = seed(&moto, &sdk).await;
    let rollouts = rollouts(sdk);

    let read = rollouts
        .environment(&environment("ltbase", &["api", "ghost"]))
        .await
        .unwrap();
    assert_eq!(read.targets.len(), 1, "{:?}", read.group_errors);
    let t = &read.targets[0];
    // Learnt from the AppSpec: moto has no deployment targets.
    assert_eq!((t.function.as_str(), t.alias.as_str()), (FUNCTION, "Prod"));
    let s = t.latest.as_ref().unwrap();
    assert_eq!(
        s.status,
        DeploymentStatus::Created,
        "moto's deployments never start"
    );
    assert_eq!(s.from.number, "1");
    assert_eq!(s.to.number, "2");
    assert_eq!(s.from.release.as_ref().map(|v| v.as_str()), Some("v1.2.0"));
    assert_eq!(s.to.release.as_ref().map(|v| v.as_str()), Some("v1.3.0"));
    // Nothing moves before the deployment starts: the alias says where traffic goes.
    let routing = t.alias_routing.as_ref().expect("alias read");
    assert_eq!(routing.version, s.from);
    let (extra, weight) = routing.additional.clone().unwrap();
    assert_eq!((extra, weight), (s.to.clone(), 0.1));
    let mut code: Vec<(String, String)> = read
        .serving_code
        .iter()
        .map(|c| (c.number.clone(), c.code_sha256.clone()))
        .collect();
    code.sort();
    assert_eq!(
        code,
        [
            ("1".to_string(), code_sha256(&v1)),
            ("2".to_string(), code_sha256(&v2))
        ]
    );
    assert_eq!(
        read.serving_code[0].release.as_ref().map(|v| v.as_str()),
        Some("v1.2.0")
    );

    // moto answers BatchGetDeploymentGroups with 500; the groups are read one by one.
    assert_eq!(
        read.api_calls.get("codedeploy:GetDeploymentGroup"),
        Some(&2)
    );
    assert_eq!(read.group_errors.len(), 1);
    let ghost = &read.group_errors[0];
    assert_eq!(ghost.group, "ghost");
    assert_eq!(ghost.error.kind, ErrorKind::NotFound);
    assert!(
        ghost.error.message.contains("ltbase/ghost"),
        "{}",
        ghost.error.message
    );

    let caller = rollouts
        .caller(&environment("ltbase", &["api"]))
        .await
        .unwrap();
    assert_eq!(caller.account, ACCOUNT);
    assert!(caller.arn.starts_with("arn:aws:"), "{}", caller.arn);

    let e = rollouts
        .environment(&environment("ltbase-typo", &["api"]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(
        e.message,
        "the CodeDeploy application ltbase-typo does not exist in us-east-1"
    );
}

//! Recorded responses in the SDK's wire format and HTTP clients that answer with them: what the
//! replay tests and the call-rate test share.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_codedeploy::config::SharedHttpClient;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient, infallible_client_fn};
use aws_smithy_types::body::SdkBody;
use serde_json::{Value, json};

use shiftdeck::aws::connect::{Connection, ConnectionKey, Limits};
use shiftdeck::aws::rollouts::{AwsRollouts, EnvAws};
use shiftdeck::domain::pin::{PinLocator, PinRule};
use shiftdeck::domain::rollout::{LambdaVersion, Target};
use shiftdeck::domain::time::Timestamp;
use shiftdeck::domain::version::Version;
use shiftdeck::environment::Environment;
use shiftdeck::ports::{Clock, EnvRollout};

pub const APP: &str = "ltbase";
pub const GROUP: &str = "api";
pub const FUNCTION: &str = "ltbase-prod-api";
pub const ACCOUNT: &str = "123456789012";
/// 2025-10-09T08:53:20Z, in seconds as CodeDeploy's JSON carries timestamps.
pub const T0: i64 = 1_760_000_000;
pub const LINEAR: &str = "CodeDeployDefault.LambdaLinear10PercentEvery1Minute";

// ---------------------------------------------------------------------------------------------
// The world around the adapter: a settable clock, environments, connections.

pub struct TestClock(pub AtomicI64);

impl TestClock {
    pub fn at(seconds: i64) -> Arc<Self> {
        Arc::new(Self(AtomicI64::new(seconds * 1000)))
    }
    pub fn set(&self, seconds: i64) {
        self.0.store(seconds * 1000, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

pub fn environment(name: &str, groups: &[&str]) -> Environment {
    Environment {
        name: name.into(),
        pin: PinLocator {
            file: "lib/config.ts".into(),
            rule: PinRule::Pattern("const version = \"{version}\"".into()),
        },
        region: Some("us-east-1".into()),
        profile: None,
        application: APP.into(),
        deployment_groups: groups.iter().map(|g| g.to_string()).collect(),
        requires_approval: false,
        require_signed_approval: false,
        protected: false,
        accent: None,
        alias: "Prod".into(),
    }
}

pub fn prod() -> Environment {
    environment("prod", &[GROUP])
}

pub fn connection(sdk: SdkConfig) -> Arc<Connection> {
    Arc::new(Connection::from_sdk(
        ConnectionKey::default(),
        sdk,
        Limits {
            requests_per_second: 1000.0,
            ..Limits::default()
        },
    ))
}

pub fn rollouts(envs: &[(&str, Arc<Connection>)], clock: Arc<TestClock>) -> AwsRollouts {
    AwsRollouts::new(
        envs.iter()
            .map(|(name, conn)| (name.to_string(), Ok(Arc::new(EnvAws::new(conn.clone())))))
            .collect::<HashMap<_, _>>(),
        clock,
    )
}

/// An SDK config over the test's HTTP client, without retries so that each recorded answer is
/// used exactly once. (A macro: the client traits live in a crate this test does not name.)
macro_rules! sdk {
    ($http:expr) => {
        SdkConfig::builder()
            .region(Region::new("us-east-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            )))
            .retry_config(RetryConfig::disabled())
            .behavior_version(BehaviorVersion::latest())
            .http_client($http)
            .build()
    };
}

/// The adapter over recorded responses answered in order.
pub fn replayed(
    events: Vec<ReplayEvent>,
    clock: Arc<TestClock>,
) -> (AwsRollouts, StaticReplayClient, Arc<Connection>) {
    let replay = StaticReplayClient::new(events);
    let conn = connection(sdk!(replay.clone()));
    (rollouts(&[("prod", conn.clone())], clock), replay, conn)
}

// ---------------------------------------------------------------------------------------------
// Recorded responses, as the services send them.

pub fn response(status: u16, content_type: &str, body: String) -> http::Response<SdkBody> {
    http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("x-amzn-RequestId", "6f0e2a1b-0000-4000-8000-00000000abcd")
        .body(SdkBody::from(body))
        .unwrap()
}

pub fn any_request() -> http::Request<SdkBody> {
    http::Request::builder()
        .uri("https://recorded.invalid/")
        .body(SdkBody::empty())
        .unwrap()
}

/// A CodeDeploy answer (the operation is checked through `assert_sent`).
pub fn cd(body: Value) -> ReplayEvent {
    ReplayEvent::new(
        any_request(),
        response(200, "application/x-amz-json-1.1", body.to_string()),
    )
}

pub fn cd_error(status: u16, kind: &str, message: &str) -> ReplayEvent {
    ReplayEvent::new(
        any_request(),
        response(
            status,
            "application/x-amz-json-1.1",
            json!({ "__type": kind, "message": message }).to_string(),
        ),
    )
}

/// What moto answers for an operation it does not implement.
pub fn html_500() -> ReplayEvent {
    ReplayEvent::new(
        any_request(),
        response(
            500,
            "text/html; charset=utf-8",
            "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n".into(),
        ),
    )
}

pub fn lambda(body: Value) -> ReplayEvent {
    ReplayEvent::new(
        any_request(),
        response(200, "application/json", body.to_string()),
    )
}

pub fn sts_identity() -> ReplayEvent {
    ReplayEvent::new(any_request(), response(200, "text/xml", identity_xml()))
}

/// GetCallerIdentity's answer for an assumed role in `ACCOUNT`.
pub fn identity_xml() -> String {
    format!(
        r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::{ACCOUNT}:assumed-role/shiftdeck-operator/alice</Arn>
    <UserId>AROAEXAMPLE:alice</UserId>
    <Account>{ACCOUNT}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#
    )
}

pub fn appspec(from: &str, to: &str, hooks: &[(&str, &str)]) -> String {
    let mut doc = json!({
        "version": 0.0,
        "Resources": [{ "ltbaseApi": { "Type": "AWS::Lambda::Function", "Properties": {
            "Name": FUNCTION, "Alias": "Prod", "CurrentVersion": from, "TargetVersion": to
        }}}]
    });
    if !hooks.is_empty() {
        doc["Hooks"] = hooks.iter().map(|(e, f)| json!({ *e: f })).collect();
    }
    doc.to_string()
}

pub struct Group<'a> {
    name: &'a str,
    config: &'a str,
    attempted: Option<(&'a str, &'a str)>,
    succeeded: Option<&'a str>,
    alarms: &'a [&'a str],
}

impl<'a> Group<'a> {
    pub fn new(name: &'a str) -> Self {
        Self {
            name,
            config: LINEAR,
            attempted: None,
            succeeded: None,
            alarms: &[],
        }
    }
    pub fn attempted(mut self, id: &'a str, status: &'a str) -> Self {
        self.attempted = Some((id, status));
        self
    }
    pub fn succeeded(mut self, id: &'a str) -> Self {
        self.succeeded = Some(id);
        self
    }
    pub fn alarms(mut self, names: &'a [&'a str]) -> Self {
        self.alarms = names;
        self
    }
    pub fn config(mut self, name: &'a str) -> Self {
        self.config = name;
        self
    }

    pub fn info(&self) -> Value {
        let mut g = json!({
            "applicationName": APP,
            "deploymentGroupId": format!("4b1c2d3e-{}", self.name),
            "deploymentGroupName": self.name,
            "deploymentConfigName": self.config,
            "serviceRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/codedeploy"),
            "alarmConfiguration": {
                "enabled": !self.alarms.is_empty(),
                "ignorePollAlarmFailure": false,
                "alarms": self.alarms.iter().map(|a| json!({ "name": a })).collect::<Vec<_>>(),
            },
            "autoRollbackConfiguration": {
                "enabled": true,
                "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
            },
            "deploymentStyle": { "deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL" },
            "computePlatform": "Lambda",
        });
        if let Some((id, status)) = self.attempted {
            g["lastAttemptedDeployment"] =
                json!({ "deploymentId": id, "status": status, "createTime": T0 });
        }
        if let Some(id) = self.succeeded {
            g["lastSuccessfulDeployment"] =
                json!({ "deploymentId": id, "status": "Succeeded", "createTime": T0 - 86_400 });
        }
        g
    }
}

pub fn groups(gs: &[Group]) -> ReplayEvent {
    cd(json!({ "deploymentGroupsInfo": gs.iter().map(Group::info).collect::<Vec<_>>() }))
}

/// One deployment as BatchGetDeployments describes it.
pub fn deployment(id: &str, status: &str, from: &str, to: &str, created: i64) -> Value {
    let mut d = json!({
        "applicationName": APP,
        "deploymentGroupName": GROUP,
        "deploymentConfigName": LINEAR,
        "deploymentId": id,
        "revision": {
            "revisionType": "AppSpecContent",
            "appSpecContent": { "content": appspec(from, to, &[]), "sha256": "e3b0c442" },
        },
        "status": status,
        "createTime": created,
        "startTime": created + 1,
        "creator": "user",
        "description": "pipeline deploy",
        "computePlatform": "Lambda",
        "deploymentStyle": { "deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL" },
    });
    if !matches!(status, "Created" | "Queued" | "InProgress") {
        d["completeTime"] = json!(created + 700);
    }
    d
}

pub fn deployments(ds: &[Value]) -> ReplayEvent {
    cd(json!({ "deploymentsInfo": ds }))
}

pub fn target_ids(deployment_id: &str) -> ReplayEvent {
    let _ = deployment_id;
    cd(json!({ "targetIds": [format!("{FUNCTION}:Prod")] }))
}

/// A Lambda deployment target with its lifecycle events as (name, status, start second).
pub fn lambda_target(
    deployment_id: &str,
    weight: f64,
    events: &[(&str, &str, Option<i64>)],
) -> ReplayEvent {
    cd(json!({ "deploymentTargets": [{
        "deploymentTargetType": "LambdaTarget",
        "lambdaTarget": {
            "deploymentId": deployment_id,
            "targetId": format!("{FUNCTION}:Prod"),
            "targetArn": format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{FUNCTION}:Prod"),
            "status": "InProgress",
            "lastUpdatedAt": T0 + 60,
            "lifecycleEvents": events.iter().map(|(name, status, start)| {
                let mut e = json!({ "lifecycleEventName": name, "status": status });
                if let Some(s) = start { e["startTime"] = json!(s); }
                e
            }).collect::<Vec<_>>(),
            "lambdaFunctionInfo": {
                "functionName": FUNCTION,
                "functionAlias": "Prod",
                "currentVersion": "3",
                "targetVersion": "4",
                "targetVersionWeight": weight,
            },
        },
    }]}))
}

/// The base64 SHA-256 Lambda reports for version `n` (made up, but shaped like the real one).
pub fn sha_of(n: &str) -> String {
    format!("{n}OrGzVFmBF6xa7oDkqVxBVGJpVIVIyVH8XZyEJUmj0=")
}

pub fn release_of(n: &str) -> &'static str {
    match n {
        "2" => "v1.1.0",
        "3" => "v1.2.0",
        "4" => "v1.3.0",
        "5" => "v1.4.0",
        _ => "v9.9.9",
    }
}

/// GetFunction of version `n`: its configuration and where its code is.
pub fn function_version(n: &str) -> ReplayEvent {
    lambda(json!({ "Configuration": {
        "FunctionName": FUNCTION,
        "FunctionArn": format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{FUNCTION}:{n}"),
        "Runtime": "provided.al2023",
        "Role": format!("arn:aws:iam::{ACCOUNT}:role/ltbase-api"),
        "Handler": "bootstrap",
        "CodeSize": 4_194_304,
        "Description": format!("ltbase {} (build 4{n})", release_of(n)),
        "Timeout": 10,
        "MemorySize": 512,
        "LastModified": "2025-10-01T10:00:00.000+0000",
        "CodeSha256": sha_of(n),
        "Version": n,
        "State": "Active",
    }, "Code": {
        "RepositoryType": "S3",
        "Location": format!("https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/{ACCOUNT}/{FUNCTION}-{n}"),
    }}))
}

pub fn alias(version: &str, additional: Option<(&str, f64)>) -> ReplayEvent {
    let mut a = json!({
        "AliasArn": format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{FUNCTION}:Prod"),
        "Name": "Prod",
        "FunctionVersion": version,
        "Description": "",
        "RevisionId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
    });
    if let Some((v, w)) = additional {
        a["RoutingConfig"] = json!({ "AdditionalVersionWeights": { v: w } });
    }
    lambda(a)
}

// ---------------------------------------------------------------------------------------------
// What was sent.

/// Each request as `Operation` (CodeDeploy, by its x-amz-target), `sts:Operation`, or
/// `METHOD path` (Lambda).
pub fn sent(replay: &StaticReplayClient) -> Vec<String> {
    replay
        .actual_requests()
        .map(|r| {
            if let Some(t) = r.headers().get("x-amz-target") {
                return t.trim_start_matches("CodeDeploy_20141006.").to_string();
            }
            let uri: http::Uri = r.uri().parse().unwrap();
            if uri.host().unwrap_or_default().starts_with("sts.") {
                let body = std::str::from_utf8(r.body().bytes().unwrap_or_default()).unwrap();
                return format!(
                    "sts:{}",
                    body.split('&')
                        .next()
                        .unwrap()
                        .trim_start_matches("Action=")
                );
            }
            format!("{} {}", r.method(), uri.path_and_query().unwrap())
        })
        .collect()
}

#[track_caller]
pub fn assert_sent(replay: &StaticReplayClient, expected: &[&str]) {
    assert_eq!(sent(replay), expected, "requests sent, in order");
}

/// The JSON body of the `i`-th request.
pub fn body(replay: &StaticReplayClient, i: usize) -> Value {
    let r = replay.actual_requests().nth(i).expect("request sent");
    serde_json::from_slice(r.body().bytes().unwrap()).unwrap()
}

pub fn function_path(n: &str) -> String {
    format!("GET /2015-03-31/functions/{FUNCTION}?Qualifier={n}")
}

pub const GET_ALIAS: &str = "GET /2015-03-31/functions/ltbase-prod-api/aliases/Prod";

pub fn only_target(read: &EnvRollout) -> &Target {
    assert!(read.group_errors.is_empty(), "{:?}", read.group_errors);
    assert_eq!(read.targets.len(), 1);
    &read.targets[0]
}

pub fn version(n: &str) -> LambdaVersion {
    LambdaVersion {
        number: n.into(),
        release: Some(Version::parse(release_of(n)).unwrap()),
    }
}

pub fn minutes(m: u64) -> Duration {
    Duration::from_secs(60 * m)
}

// ---------------------------------------------------------------------------------------------
// A client that answers by what is asked rather than in order, for reads whose order is not
// the point (many groups, or a CloudWatch call that only the real alarms module makes).

#[derive(Clone, Debug)]
pub struct Sent {
    /// As in `sent()`: the CodeDeploy operation, `sts:…`, `cloudwatch:…` or `METHOD path`.
    pub what: String,
    pub body: Vec<u8>,
}

pub type Answer = (u16, &'static str, Vec<u8>);

#[derive(Clone, Default)]
pub struct Log(pub Arc<Mutex<Vec<Sent>>>);

impl Log {
    pub fn all(&self) -> Vec<Sent> {
        self.0.lock().unwrap().clone()
    }
    pub fn take(&self) -> Vec<Sent> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

pub fn describe(req: &http::Request<SdkBody>) -> String {
    if let Some(t) = req.headers().get("x-amz-target") {
        return t
            .to_str()
            .unwrap()
            .trim_start_matches("CodeDeploy_20141006.")
            .to_string();
    }
    let uri = req.uri();
    let host = uri.host().unwrap_or_default();
    if host.starts_with("monitoring.") {
        return format!("cloudwatch:{}", uri.path().rsplit('/').next().unwrap());
    }
    if host.starts_with("sts.") {
        return "sts:GetCallerIdentity".into();
    }
    format!("{} {}", req.method(), uri.path_and_query().unwrap())
}

/// An HTTP client answering each request with `answer(what, body)`, logging what it saw.
pub fn routed(
    log: &Log,
    answer: impl Fn(&str, &[u8]) -> Answer + Send + Sync + 'static,
) -> SharedHttpClient {
    let log = log.clone();
    infallible_client_fn(move |req| {
        let what = describe(&req);
        let body = req.body().bytes().unwrap_or_default().to_vec();
        let (status, content_type, out) = answer(&what, &body);
        log.0.lock().unwrap().push(Sent { what, body });
        let mut r = response(status, content_type, String::new());
        *r.body_mut() = SdkBody::from(out);
        if content_type == "application/cbor" {
            r.headers_mut()
                .insert("smithy-protocol", "rpc-v2-cbor".parse().unwrap());
        }
        r
    })
}

pub fn json_answer(v: Value) -> Answer {
    (
        200,
        "application/x-amz-json-1.1",
        v.to_string().into_bytes(),
    )
}

/// An answer in CloudWatch's current protocol (Smithy RPC v2 CBOR).
pub fn cbor_answer(v: Value) -> Answer {
    let mut out = Vec::new();
    cbor(&v, &mut out);
    (200, "application/cbor", out)
}

/// JSON values as CBOR (what current CloudWatch speaks); an object `{"$epoch": n}` becomes a
/// timestamp (tag 1).
pub fn cbor(v: &Value, out: &mut Vec<u8>) {
    fn head(major: u8, n: u64, out: &mut Vec<u8>) {
        let m = major << 5;
        match n {
            0..=23 => out.push(m | n as u8),
            24..=0xff => out.extend([m | 24, n as u8]),
            0x100..=0xffff => {
                out.push(m | 25);
                out.extend((n as u16).to_be_bytes());
            }
            _ => {
                out.push(m | 27);
                out.extend(n.to_be_bytes());
            }
        }
    }
    match v {
        Value::Null => out.push(0xf6),
        Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Value::Number(n) if n.is_u64() => head(0, n.as_u64().unwrap(), out),
        Value::Number(n) => {
            out.push(0xfb);
            out.extend(n.as_f64().unwrap().to_be_bytes());
        }
        Value::String(s) => {
            head(3, s.len() as u64, out);
            out.extend(s.as_bytes());
        }
        Value::Array(items) => {
            head(4, items.len() as u64, out);
            items.iter().for_each(|i| cbor(i, out));
        }
        Value::Object(m) if m.contains_key("$epoch") => {
            head(6, 1, out);
            out.push(0xfb);
            out.extend(m["$epoch"].as_f64().unwrap().to_be_bytes());
        }
        Value::Object(m) => {
            head(5, m.len() as u64, out);
            for (k, v) in m {
                cbor(&Value::String(k.clone()), out);
                cbor(v, out);
            }
        }
    }
}

/// A fleet answered by what is asked. Group `<env>-<n>` deploys function `fn-<env>-<n>`: its
/// deployment `d-<env>-<n>-1` (version 1 → 2) succeeded and, where `shifting(n)`, its deployment
/// `d-<env>-<n>-2` (2 → 3) is in progress at 30%. With `alarms`, each group watches
/// `<group>-5xx` and `<group>-p99`, both OK. CloudWatch's metrics come back empty (gaps).
pub fn fleet(
    shifting: fn(u32) -> bool,
    alarms: bool,
) -> impl Fn(&str, &[u8]) -> Answer + Send + Sync + 'static {
    move |what, raw| {
        let body: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
        // ids: d-<env>-<group number>-<1: succeeded 1 → 2 | 2: shifting 2 → 3>
        let parts = |id: &str| {
            let p: Vec<String> = id.split('-').map(str::to_string).collect();
            (p[1].clone(), p[2].clone(), p[3].clone())
        };
        let function = |env: &str, g: &str| format!("fn-{env}-{g}");
        match what {
            "BatchGetDeploymentGroups" => {
                let infos: Vec<Value> = body["deploymentGroupNames"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| {
                        let name = n.as_str().unwrap();
                        let (env, g) = name.split_once('-').unwrap();
                        let first = format!("d-{env}-{g}-1");
                        let second = format!("d-{env}-{g}-2");
                        let group = Group::new(name).succeeded(&first);
                        let group = if shifting(g.parse::<u32>().unwrap()) {
                            group.attempted(&second, "InProgress")
                        } else {
                            group.attempted(&first, "Succeeded")
                        };
                        let mut info = group.info();
                        if alarms {
                            info["alarmConfiguration"] = json!({
                                "enabled": true, "ignorePollAlarmFailure": false,
                                "alarms": [{ "name": format!("{name}-5xx") }, { "name": format!("{name}-p99") }],
                            });
                        }
                        info
                    })
                    .collect();
                json_answer(json!({ "deploymentGroupsInfo": infos }))
            }
            "BatchGetDeployments" => {
                let infos: Vec<Value> = body["deploymentIds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|id| {
                        let id = id.as_str().unwrap();
                        let (env, g, n) = parts(id);
                        let (status, from, to) = if n == "2" {
                            ("InProgress", "2", "3")
                        } else {
                            ("Succeeded", "1", "2")
                        };
                        let spec = appspec(from, to, &[]).replace(FUNCTION, &function(&env, &g));
                        let created = T0 + n.parse::<i64>().unwrap() * 1000;
                        let mut d = deployment(id, status, from, to, created);
                        d["deploymentGroupName"] = json!(format!("{env}-{g}"));
                        d["revision"]["appSpecContent"]["content"] = json!(spec);
                        d
                    })
                    .collect();
                json_answer(json!({ "deploymentsInfo": infos }))
            }
            "ListDeploymentTargets" => {
                let (env, g, _) = parts(body["deploymentId"].as_str().unwrap());
                json_answer(json!({ "targetIds": [format!("{}:Prod", function(&env, &g))] }))
            }
            "BatchGetDeploymentTargets" => {
                let id = body["deploymentId"].as_str().unwrap();
                let (env, g, _) = parts(id);
                json_answer(json!({ "deploymentTargets": [{
                    "deploymentTargetType": "LambdaTarget",
                    "lambdaTarget": {
                        "deploymentId": id, "targetId": format!("{}:Prod", function(&env, &g)),
                        "status": "InProgress",
                        "lifecycleEvents": [{ "lifecycleEventName": "AllowTraffic", "status": "InProgress", "startTime": T0 + 2100 }],
                        "lambdaFunctionInfo": {
                            "functionName": function(&env, &g), "functionAlias": "Prod",
                            "currentVersion": "2", "targetVersion": "3", "targetVersionWeight": 0.3,
                        },
                    },
                }]}))
            }
            w if w.starts_with("GET /2015-03-31/functions/") => {
                let path = w.trim_start_matches("GET /2015-03-31/functions/");
                let doc = match path.split_once("?Qualifier=") {
                    Some((f, n)) => json!({ "Configuration": {
                        "FunctionName": f, "Version": n, "Description": format!("v1.{n}.0"), "CodeSha256": sha_of(n),
                    }}),
                    None => json!({ "Name": "Prod", "FunctionVersion": "2" }),
                };
                (200, "application/json", doc.to_string().into_bytes())
            }
            "cloudwatch:DescribeAlarms" => {
                // The request is CBOR, whose text strings are the names' bytes as they are.
                let text = String::from_utf8_lossy(raw);
                let names = regex_lite::Regex::new(r"[a-z]+-\d+-(5xx|p99)").unwrap();
                let found: Vec<Value> = names
                    .find_iter(&text)
                    .map(|m| {
                        json!({
                            "AlarmName": m.as_str(), "StateValue": "OK",
                            "StateReason": "Threshold Crossed: no datapoints were greater than the threshold.",
                            "StateUpdatedTimestamp": { "$epoch": T0 as f64 },
                            "MetricName": "Errors", "Namespace": "AWS/Lambda", "Statistic": "Sum",
                            "Period": 60, "EvaluationPeriods": 1, "Threshold": 1.0,
                            "ComparisonOperator": "GreaterThanThreshold",
                        })
                    })
                    .collect();
                cbor_answer(json!({ "MetricAlarms": found, "CompositeAlarms": [] }))
            }
            "cloudwatch:GetMetricData" => {
                cbor_answer(json!({ "MetricDataResults": [], "Messages": [] }))
            }
            "sts:GetCallerIdentity" => (200, "text/xml", identity_xml().into_bytes()),
            other => panic!("unexpected request {other}"),
        }
    }
}

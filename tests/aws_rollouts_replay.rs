//! The CodeDeploy/Lambda adapter against recorded responses in the SDK's wire format: CodeDeploy
//! JSON 1.1, Lambda REST JSON, STS query XML. The SDK really serialises, signs and parses, so
//! these tests see what the adapter asks for and what a person would be shown, for the parts
//! no emulator implements (deployment targets, alarm configuration, StopDeployment, gates,
//! custom configs, a deployment moving through its steps).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use serde_json::{Value, json};

use shiftdeck::aws::connect::{Connection, ConnectionKey, Limits};
use shiftdeck::domain::rollout::{
    AlarmState, DeploymentStatus, EventStatus, LifecycleEvent, RedeployRequest, RollbackPlan,
    rollback_plan,
};
use shiftdeck::domain::schedule::{DeploymentConfig, Step};
use shiftdeck::domain::time::Timestamp;
use shiftdeck::environment::Environment;
use shiftdeck::ports::{Clock, ErrorKind, Rollouts};

#[macro_use]
mod recorded;
use recorded::*;

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_linear_shift_is_followed_from_ten_percent_to_succeeded() {
    let traffic = T0 + 60;
    let allow = |status: &'static str| {
        [
            ("BeforeAllowTraffic", "Succeeded", Some(T0 + 2)),
            ("AllowTraffic", status, Some(traffic)),
        ]
    };
    let mut at_100 = allow("Succeeded").to_vec();
    at_100.push(("AfterAllowTraffic", "InProgress", Some(traffic + 545)));
    let mut succeeded = deployment("d-4", "Succeeded", "3", "4", T0);
    succeeded["completeTime"] = json!(traffic + 550);
    let clock = TestClock::at(traffic + 30);
    let (rollouts, replay, _) = replayed(
        vec![
            // 10 %
            groups(&[Group::new(GROUP)
                .attempted("d-4", "InProgress")
                .succeeded("d-3")]),
            deployments(&[
                deployment("d-3", "Succeeded", "2", "3", T0 - 86_400),
                deployment("d-4", "InProgress", "3", "4", T0),
            ]),
            target_ids("d-4"),
            lambda_target("d-4", 0.1, &allow("InProgress")),
            function_version("3"),
            function_version("4"),
            function_version("2"),
            // 50 %
            groups(&[Group::new(GROUP)
                .attempted("d-4", "InProgress")
                .succeeded("d-3")]),
            deployments(&[deployment("d-4", "InProgress", "3", "4", T0)]),
            // the target, listed once, is read again by its id
            lambda_target("d-4", 0.5, &allow("InProgress")),
            // 100 %, AfterAllowTraffic running
            groups(&[Group::new(GROUP)
                .attempted("d-4", "InProgress")
                .succeeded("d-3")]),
            deployments(&[deployment("d-4", "InProgress", "3", "4", T0)]),
            lambda_target("d-4", 1.0, &at_100),
            // Succeeded: the alias is read, once
            groups(&[Group::new(GROUP)
                .attempted("d-4", "Succeeded")
                .succeeded("d-4")]),
            deployments(&[succeeded]),
            alias("4", None),
            // and a moment later nothing but the group
            groups(&[Group::new(GROUP)
                .attempted("d-4", "Succeeded")
                .succeeded("d-4")]),
        ],
        clock.clone(),
    );
    let env = prod();

    let read = rollouts.environment(&env).await.unwrap();
    let t = only_target(&read);
    assert_eq!((t.function.as_str(), t.alias.as_str()), (FUNCTION, "Prod"));
    assert!(t.auto_rollback_on_alarm);
    let s = t.latest.as_ref().unwrap();
    assert_eq!(s.status, DeploymentStatus::InProgress);
    assert_eq!((s.from.clone(), s.to.clone()), (version("3"), version("4")));
    assert_eq!(s.target_percent, 10.0);
    assert_eq!(s.config, DeploymentConfig::predefined(LINEAR).unwrap());
    assert_eq!(s.traffic_started_at, Some(Timestamp(traffic * 1000)));
    let p = s.progress(clock.now()).unwrap();
    assert_eq!(p.scheduled_percent, 10);
    assert_eq!(
        p.next,
        Some(Step {
            at: minutes(1),
            percent: 20
        })
    );
    assert_eq!(p.eta, Timestamp((traffic + 9 * 60) * 1000));
    assert_eq!(
        t.alias_routing, None,
        "the alias is not read while CodeDeploy moves it"
    );
    assert_eq!(t.previous_success.as_ref().unwrap().deployment_id, "d-3");
    assert_eq!(t.previous_success.as_ref().unwrap().from, version("2"));
    assert_eq!(
        read.serving_code
            .iter()
            .map(|c| (c.number.as_str(), c.code_sha256.clone()))
            .collect::<Vec<_>>(),
        [("3", sha_of("3")), ("4", sha_of("4"))]
    );
    assert_eq!(read.read_at, Timestamp((traffic + 30) * 1000));
    assert!(read.shifting());

    clock.set(traffic + 270);
    let read = rollouts.environment(&env).await.unwrap();
    let s = only_target(&read).latest.clone().unwrap();
    assert_eq!(s.target_percent, 50.0);
    let p = s.progress(clock.now()).unwrap();
    assert_eq!(p.scheduled_percent, 50);
    assert_eq!(
        p.next,
        Some(Step {
            at: minutes(5),
            percent: 60
        })
    );
    assert_eq!(
        read.api_calls,
        BTreeMap::from([
            ("codedeploy:BatchGetDeploymentGroups".to_string(), 1),
            ("codedeploy:BatchGetDeploymentTargets".to_string(), 1),
            ("codedeploy:BatchGetDeployments".to_string(), 1),
        ]),
        "the finished d-3, the target's id and every version description come from the cache"
    );

    clock.set(traffic + 550);
    let read = rollouts.environment(&env).await.unwrap();
    let s = only_target(&read).latest.clone().unwrap();
    assert_eq!(s.target_percent, 100.0);
    assert_eq!(s.progress(clock.now()).unwrap().next, None);
    assert!(
        s.events
            .contains(&(LifecycleEvent::AfterAllowTraffic, EventStatus::InProgress))
    );
    assert_eq!(
        read.serving_code.len(),
        1,
        "only the new version serves at 100 %"
    );

    clock.set(traffic + 600);
    let read = rollouts.environment(&env).await.unwrap();
    let t = only_target(&read);
    let s = t.latest.as_ref().unwrap();
    assert_eq!(s.status, DeploymentStatus::Succeeded);
    assert_eq!(s.target_percent, 100.0);
    assert_eq!(s.completed_at, Some(Timestamp((traffic + 550) * 1000)));
    assert_eq!(s.progress(clock.now()), None);
    let routing = t.alias_routing.as_ref().unwrap();
    assert_eq!(
        (routing.version.clone(), routing.additional.clone()),
        (version("4"), None)
    );
    assert_eq!(t.serving(), Some(&version("4")));
    assert!(!read.shifting());

    let read = rollouts.environment(&env).await.unwrap();
    assert_eq!(
        only_target(&read).alias_routing.as_ref().unwrap().version,
        version("4")
    );
    assert_eq!(read.api_calls.len(), 1, "{:?}", read.api_calls);

    let d = ["BatchGetDeploymentGroups", "BatchGetDeployments"];
    let shifting = [
        d[0],
        d[1],
        "ListDeploymentTargets",
        "BatchGetDeploymentTargets",
    ];
    let mut expected: Vec<String> = shifting.iter().map(|s| s.to_string()).collect();
    expected.extend([function_path("3"), function_path("4"), function_path("2")]);
    for _ in 0..2 {
        expected.extend([d[0], d[1], shifting[3]].map(str::to_string));
    }
    expected.extend([
        d[0].to_string(),
        d[1].to_string(),
        GET_ALIAS.to_string(),
        d[0].to_string(),
    ]);
    assert_sent(
        &replay,
        &expected.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(body(&replay, 1)["deploymentIds"], json!(["d-3", "d-4"]));
    assert_eq!(body(&replay, 8)["deploymentIds"], json!(["d-4"]));
    assert_eq!(
        body(&replay, 0),
        json!({ "applicationName": APP, "deploymentGroupNames": [GROUP] })
    );
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_alarm_that_fires_shows_as_the_reason_of_the_automatic_rollback() {
    let fired = "ltbase-prod-api-5xx";
    let watched = [fired, "ltbase-prod-api-p99"];
    let message = format!(
        "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <{fired}>"
    );
    let log = Log::default();
    let m = message.clone();
    let http = routed(&log, move |what, _| match what {
        "BatchGetDeploymentGroups" => json_answer(json!({ "deploymentGroupsInfo": [
            Group::new(GROUP).attempted("d-5", "Stopped").succeeded("d-4").alarms(&watched).info()
        ]})),
        "BatchGetDeployments" => {
            let mut stopped = deployment("d-5", "Stopped", "4", "5", T0);
            stopped["errorInformation"] = json!({ "code": "ALARM_ACTIVE", "message": m });
            stopped["rollbackInfo"] = json!({
                "rollbackDeploymentId": "d-6",
                "rollbackMessage": format!("Automatic rollback to d-4 because alarm {fired} is in ALARM"),
            });
            json_answer(json!({ "deploymentsInfo": [
                deployment("d-4", "Succeeded", "3", "4", T0 - 86_400),
                stopped,
            ]}))
        }
        w if w.starts_with("GET /2015-03-31/functions/ltbase-prod-api?Qualifier=") => {
            let n = w.rsplit('=').next().unwrap().to_string();
            (
                200,
                "application/json",
                json!({ "Configuration": {
                    "FunctionName": FUNCTION, "Version": n, "Description": release_of(&n),
                    "CodeSha256": sha_of(&n),
                }})
                .to_string()
                .into_bytes(),
            )
        }
        GET_ALIAS => (
            200,
            "application/json",
            json!({
                "Name": "Prod", "FunctionVersion": "4",
                "AliasArn": format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{FUNCTION}:Prod"),
            })
            .to_string()
            .into_bytes(),
        ),
        // Only the real alarms module asks CloudWatch; the stand-in answers nothing.
        "cloudwatch:DescribeAlarms" => {
            let mut out = Vec::new();
            cbor(
                &json!({ "MetricAlarms": watched.iter().map(|name| json!({
                "AlarmName": name,
                "StateValue": if *name == fired { "ALARM" } else { "OK" },
                "StateReason": "Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (1.0).",
                "StateUpdatedTimestamp": { "$epoch": (T0 + 300) as f64 },
                "MetricName": "Errors", "Namespace": "AWS/Lambda", "Statistic": "Sum",
                "Period": 60, "EvaluationPeriods": 1, "Threshold": 1.0,
                "ComparisonOperator": "GreaterThanThreshold",
            })).collect::<Vec<_>>(), "CompositeAlarms": [] }),
                &mut out,
            );
            (200, "application/cbor", out)
        }
        other => panic!("unexpected request {other}"),
    });
    let rollouts = rollouts(&[("prod", connection(sdk!(http)))], TestClock::at(T0 + 900));

    let read = rollouts.environment(&prod()).await.unwrap();
    let t = only_target(&read);
    assert!(t.auto_rollback_on_alarm);
    let s = t.latest.as_ref().unwrap();
    assert_eq!(s.deployment_id, "d-5");
    assert_eq!(s.status, DeploymentStatus::Stopped);
    let rollback = s
        .rollback
        .as_ref()
        .expect("the stop is shown as a rollback");
    assert!(rollback.reason.contains(fired), "{}", rollback.reason);
    assert_eq!(rollback.at, Timestamp((T0 + 700) * 1000));
    assert_eq!(t.active_shift(), None);
    // Traffic is back on the old version, which the idle alias confirms.
    assert_eq!(t.serving(), Some(&version("4")));
    assert_eq!(t.alias_routing.as_ref().unwrap().version, version("4"));
    assert!(
        rollback_plan(t).unwrap_err().contains("ended Stopped"),
        "nothing left to roll back"
    );

    let sent = log.all();
    let asked: Vec<&Sent> = sent
        .iter()
        .filter(|s| s.what.starts_with("cloudwatch:"))
        .collect();
    if asked.is_empty() {
        // The stand-in for the alarms module reads nothing.
        assert!(t.alarms.is_empty());
    } else {
        assert_eq!(
            asked.len(),
            1,
            "all alarms of the environment in one DescribeAlarms"
        );
        for name in watched {
            let bytes = name.as_bytes();
            assert!(
                asked[0].body.windows(bytes.len()).any(|w| w == bytes),
                "{name} asked for"
            );
        }
        assert_eq!(t.alarm_firing().map(|a| a.name.as_str()), Some(fired));
        assert_eq!(
            t.alarms.iter().find(|a| a.name != fired).unwrap().state,
            AlarmState::Ok
        );
    }
    assert!(
        !sent.iter().any(|s| s.what.contains("DeploymentTargets")),
        "a finished deployment's targets are not read"
    );
}

#[tokio::test]
async fn a_custom_canary_config_is_read_once_and_kept() {
    let custom = "ltbase-canary-25-percent-4-minutes";
    let traffic = T0 + 30;
    let events = [
        ("BeforeAllowTraffic", "Succeeded", Some(T0 + 5)),
        ("AllowTraffic", "InProgress", Some(traffic)),
    ];
    let mut d = deployment("d-9", "InProgress", "3", "4", T0);
    d["deploymentConfigName"] = json!(custom);
    let group = || {
        groups(&[Group::new(GROUP)
            .config(custom)
            .attempted("d-9", "InProgress")])
    };
    let clock = TestClock::at(traffic + 60);
    let (rollouts, replay, _) = replayed(
        vec![
            group(),
            deployments(&[d.clone()]),
            target_ids("d-9"),
            lambda_target("d-9", 0.25, &events),
            cd(json!({ "deploymentConfigInfo": {
                "deploymentConfigId": "e1f2a3b4-0000-4000-8000-000000000001",
                "deploymentConfigName": custom,
                "createTime": T0 - 1_000_000,
                "computePlatform": "Lambda",
                "trafficRoutingConfig": {
                    "type": "TimeBasedCanary",
                    "timeBasedCanary": { "canaryPercentage": 25, "canaryInterval": 4 },
                },
            }})),
            function_version("3"),
            function_version("4"),
            group(),
            deployments(&[d]),
            lambda_target("d-9", 0.25, &events),
        ],
        clock.clone(),
    );
    let canary = DeploymentConfig::Canary {
        percent: 25,
        interval_minutes: 4,
    };
    for _ in 0..2 {
        let read = rollouts.environment(&prod()).await.unwrap();
        let t = only_target(&read);
        assert_eq!(t.config_name, custom);
        let s = t.latest.as_ref().unwrap();
        assert_eq!(s.config, canary);
        assert_eq!(s.target_percent, 25.0);
        let p = s.progress(clock.now()).unwrap();
        assert_eq!(
            p.next,
            Some(Step {
                at: minutes(4),
                percent: 100
            })
        );
        assert_eq!(p.eta, Timestamp((traffic + 240) * 1000));
    }
    assert_sent(
        &replay,
        &[
            "BatchGetDeploymentGroups",
            "BatchGetDeployments",
            "ListDeploymentTargets",
            "BatchGetDeploymentTargets",
            "GetDeploymentConfig",
            &function_path("3"),
            &function_path("4"),
            "BatchGetDeploymentGroups",
            "BatchGetDeployments",
            "BatchGetDeploymentTargets",
        ],
    );
    assert_eq!(body(&replay, 4), json!({ "deploymentConfigName": custom }));
}

#[tokio::test]
async fn a_config_that_cannot_be_read_is_the_groups_error_not_a_wrong_eta() {
    let custom = "ltbase-linear-custom";
    let mut d = deployment("d-9", "InProgress", "3", "4", T0);
    d["deploymentConfigName"] = json!(custom);
    let (rollouts, _, _) = replayed(
        vec![
            groups(&[Group::new(GROUP)
                .config(custom)
                .attempted("d-9", "InProgress")]),
            deployments(&[d]),
            target_ids("d-9"),
            lambda_target("d-9", 0.3, &[("AllowTraffic", "InProgress", Some(T0 + 10))]),
            cd_error(
                400,
                "AccessDeniedException",
                "User: arn:aws:sts::123456789012:assumed-role/shiftdeck-readonly/alice is not authorized to perform: codedeploy:GetDeploymentConfig",
            ),
        ],
        TestClock::at(T0 + 60),
    );
    let read = rollouts.environment(&prod()).await.unwrap();
    assert!(read.targets.is_empty());
    assert_eq!(read.group_errors.len(), 1);
    let e = &read.group_errors[0].error;
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert!(
        e.message
            .contains("codedeploy:GetDeploymentConfig on ltbase-linear-custom"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn stop_sends_stop_deployment_with_auto_rollback_and_returns_the_request_id() {
    let expected = http::Request::builder()
        .method("POST")
        .uri("https://codedeploy.us-east-1.amazonaws.com/")
        .header("x-amz-target", "CodeDeploy_20141006.StopDeployment")
        .header("content-type", "application/x-amz-json-1.1")
        .body(SdkBody::from(
            r#"{"deploymentId":"d-4","autoRollbackEnabled":true}"#,
        ))
        .unwrap();
    let answer = response(
        200,
        "application/x-amz-json-1.1",
        json!({ "status": "Pending", "statusMessage": "Stopping Pending. Stopping to roll back" })
            .to_string(),
    );
    let (rollouts, replay, _) =
        replayed(vec![ReplayEvent::new(expected, answer)], TestClock::at(T0));
    let call = rollouts.stop(&prod(), "d-4").await.unwrap();
    replay.assert_requests_match(&[
        "authorization",
        "x-amz-date",
        "x-amz-user-agent",
        "user-agent",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "content-length",
    ]);
    assert_eq!(call.action, "codedeploy:StopDeployment");
    assert_eq!(
        call.request_id.as_deref(),
        Some("6f0e2a1b-0000-4000-8000-00000000abcd")
    );
    assert!(
        call.detail.contains("d-4 autoRollbackEnabled=true"),
        "{}",
        call.detail
    );
    assert!(call.to_string().contains("(request 6f0e2a1b-"), "{call}");
}

#[tokio::test]
async fn a_mutation_is_sent_once_even_where_the_sdk_would_retry() {
    // Standard retries, as Connection::open configures them: a 500 is retried for reads, but a
    // StopDeployment that may have happened must not be sent again.
    let replay = StaticReplayClient::new(vec![
        cd_error(500, "InternalFailure", "internal error"),
        // What a retry would get.
        cd(json!({ "status": "Pending" })),
    ]);
    let sdk = SdkConfig::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        )))
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .behavior_version(BehaviorVersion::latest())
        .http_client(replay.clone())
        .build();
    let rollouts = rollouts(&[("prod", connection(sdk))], TestClock::at(T0));
    let e = rollouts.stop(&prod(), "d-4").await.unwrap_err();
    assert!(e.message.contains("InternalFailure"), "{e:?}");
    assert_eq!(replay.actual_requests().count(), 1, "{e:?}");
}

#[tokio::test]
async fn a_mutation_without_an_answer_has_an_unknown_outcome() {
    let never = aws_smithy_http_client::test_util::NeverClient::new();
    let conn = Arc::new(Connection::from_sdk(
        ConnectionKey::default(),
        sdk!(never.clone()),
        Limits {
            requests_per_second: 1000.0,
            // The connection's own deadline (operation + connect) ends the wait.
            operation: Duration::from_millis(150),
            connect: Duration::from_millis(50),
            ..Limits::default()
        },
    ));
    let rollouts = rollouts(&[("prod", conn)], TestClock::at(T0));
    let e = rollouts.stop(&prod(), "d-4").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown, "{e:?}");
    assert!(
        e.message.contains("may or may not have taken effect"),
        "{}",
        e.message
    );
    assert_eq!(never.num_calls(), 1);
}

#[tokio::test]
async fn a_gate_is_answered_only_while_its_deployment_waits() {
    let (rollouts, replay, _) = replayed(
        vec![
            deployments(&[deployment("d-7", "Failed", "3", "4", T0)]),
            deployments(&[deployment("d-7", "InProgress", "3", "4", T0)]),
            cd(json!({ "lifecycleEventHookExecutionId": "exec-123" })),
        ],
        TestClock::at(T0 + 120),
    );
    let e = rollouts
        .answer_gate(&prod(), "d-7", "exec-123", true)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.message.contains("d-7 is Failed now"), "{}", e.message);
    assert_sent(&replay, &["BatchGetDeployments"]);

    let call = rollouts
        .answer_gate(&prod(), "d-7", "exec-123", true)
        .await
        .unwrap();
    assert_eq!(
        call.action,
        "codedeploy:PutLifecycleEventHookExecutionStatus"
    );
    assert_eq!(
        call.request_id.as_deref(),
        Some("6f0e2a1b-0000-4000-8000-00000000abcd")
    );
    assert_sent(
        &replay,
        &[
            "BatchGetDeployments",
            "BatchGetDeployments",
            "PutLifecycleEventHookExecutionStatus",
        ],
    );
    assert_eq!(body(&replay, 1), json!({ "deploymentIds": ["d-7"] }));
    assert_eq!(
        body(&replay, 2),
        json!({ "deploymentId": "d-7", "lifecycleEventHookExecutionId": "exec-123", "status": "Succeeded" })
    );
}

fn redeploy_request(ignore_alarms: bool) -> RedeployRequest {
    RedeployRequest {
        group: GROUP.into(),
        function: FUNCTION.into(),
        alias: "Prod".into(),
        from: version("4"),
        to: version("3"),
        run_hooks: false,
        ignore_alarms,
    }
}

#[tokio::test]
async fn redeploy_refuses_when_the_alias_moved_since_the_plan() {
    let (rollouts, replay, _) = replayed(
        vec![
            alias("4", Some(("5", 0.1))),
            function_version("4"),
            function_version("5"),
        ],
        TestClock::at(T0),
    );
    let e = rollouts
        .redeploy(&prod(), &redeploy_request(false))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.message.contains("and 10% v1.4.0 (#5)"), "{}", e.message);
    assert!(!sent(&replay).iter().any(|s| s == "CreateDeployment"));
    assert_sent(
        &replay,
        &[GET_ALIAS, &function_path("4"), &function_path("5")],
    );
}

#[tokio::test]
async fn redeploy_creates_an_all_at_once_deployment_back_to_the_previous_version() {
    for ignore_alarms in [false, true] {
        let (rollouts, replay, _) = replayed(
            vec![
                alias("4", None),
                function_version("4"),
                cd(json!({ "deploymentId": "d-RB1" })),
            ],
            TestClock::at(T0),
        );
        let (call, id) = rollouts
            .redeploy(&prod(), &redeploy_request(ignore_alarms))
            .await
            .unwrap();
        assert_eq!(id, "d-RB1");
        assert_eq!(call.action, "codedeploy:CreateDeployment");
        assert!(call.request_id.is_some());
        assert_sent(
            &replay,
            &[GET_ALIAS, &function_path("4"), "CreateDeployment"],
        );
        let b = body(&replay, 2);
        assert_eq!(b["applicationName"], APP);
        assert_eq!(b["deploymentGroupName"], GROUP);
        assert_eq!(
            b["deploymentConfigName"],
            "CodeDeployDefault.LambdaAllAtOnce"
        );
        assert_eq!(b["revision"]["revisionType"], "AppSpecContent");
        assert!(
            b["description"]
                .as_str()
                .unwrap()
                .starts_with("shiftdeck rollback")
        );
        let spec: Value =
            serde_json::from_str(b["revision"]["appSpecContent"]["content"].as_str().unwrap())
                .unwrap();
        let resource = spec["Resources"][0]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap();
        assert_eq!(resource["Type"], "AWS::Lambda::Function");
        assert_eq!(
            resource["Properties"],
            json!({ "Name": FUNCTION, "Alias": "Prod", "CurrentVersion": "4", "TargetVersion": "3" })
        );
        assert!(
            spec.get("Hooks").is_none(),
            "an emergency return runs no hooks: {spec}"
        );
        if ignore_alarms {
            assert_eq!(
                b["overrideAlarmConfiguration"]["enabled"],
                json!(false),
                "{b}"
            );
        } else {
            assert!(b.get("overrideAlarmConfiguration").is_none(), "{b}");
        }
    }
}

#[tokio::test]
async fn a_manual_gate_is_found_through_the_hook_functions_tags() {
    let waiting = T0 + 20;
    let mut d = deployment("d-7", "InProgress", "3", "4", T0);
    d["revision"]["appSpecContent"]["content"] = json!(appspec(
        "3",
        "4",
        &[("BeforeAllowTraffic", "ltbase-prod-gate")]
    ));
    let first = "a".repeat(256);
    let (rollouts, replay, _) = replayed(
        vec![
            groups(&[Group::new(GROUP).attempted("d-7", "InProgress")]),
            deployments(&[d]),
            target_ids("d-7"),
            lambda_target(
                "d-7",
                0.0,
                &[
                    ("BeforeAllowTraffic", "InProgress", Some(waiting)),
                    ("AllowTraffic", "Pending", None),
                    ("AfterAllowTraffic", "Pending", None),
                ],
            ),
            function_version("3"),
            function_version("4"),
            sts_identity(),
            lambda(json!({ "Tags": {
                "shiftdeck:gate:d-7": first,
                "shiftdeck:gate:d-7:1": "tail-44",
                "shiftdeck:gate:d-1": "an old gate",
                "aws:cloudformation:stack-name": "ltbase-prod",
            }})),
        ],
        TestClock::at(waiting + 600),
    );
    let read = rollouts.environment(&prod()).await.unwrap();
    let s = only_target(&read).latest.clone().unwrap();
    let gate = s.gate.clone().expect("the deployment waits at its gate");
    assert_eq!(gate.event, LifecycleEvent::BeforeAllowTraffic);
    assert_eq!(gate.execution_id, format!("{first}tail-44"));
    assert_eq!(gate.waiting_since, Timestamp(waiting * 1000));
    assert_eq!(s.target_percent, 0.0);
    assert_eq!(
        s.traffic_started_at, None,
        "no traffic moves before the gate opens"
    );
    assert_eq!(s.progress(Timestamp((waiting + 600) * 1000)), None);
    let sent = sent(&replay);
    assert_eq!(sent[6], "sts:GetCallerIdentity");
    assert_eq!(
        sent[7],
        "GET /2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Altbase-prod-gate"
    );
    assert_eq!(sent.len(), 8);
    let caller = rollouts.caller(&prod()).await.unwrap();
    assert_eq!(caller.account, ACCOUNT);
    assert!(caller.arn.ends_with("shiftdeck-operator/alice"));
    assert_eq!(
        replay.actual_requests().count(),
        8,
        "the identity is read once per connection"
    );
}

#[tokio::test]
async fn access_denied_names_the_action_and_resource_and_says_what_to_grant() {
    let (rollouts, _, _) = replayed(
        vec![cd_error(
            400,
            "AccessDeniedException",
            "User: arn:aws:sts::123456789012:assumed-role/shiftdeck-readonly/alice is not authorized to perform: codedeploy:BatchGetDeploymentGroups on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:ltbase/api",
        )],
        TestClock::at(T0),
    );
    let e = rollouts.environment(&prod()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert!(
        e.message
            .contains("may not call codedeploy:BatchGetDeploymentGroups on ltbase"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("not authorized to perform"),
        "the service's words: {}",
        e.message
    );
    let hint = e.hint.unwrap();
    assert!(
        hint.contains("grant codedeploy:BatchGetDeploymentGroups on ltbase"),
        "{hint}"
    );
}

#[tokio::test]
async fn throttling_is_shown_as_such_and_widens_the_request_spacing_until_calls_pass() {
    let ok = || {
        [
            groups(&[Group::new(GROUP)]),
            cd(json!({ "deployments": [] })),
        ]
    };
    let mut events = vec![cd_error(400, "ThrottlingException", "Rate exceeded")];
    events.extend(ok());
    events.extend(ok());
    events.extend(ok());
    let (rollouts, _, conn) = replayed(events, TestClock::at(T0));
    let base = conn.spacing("codedeploy");
    let e = rollouts.environment(&prod()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert!(
        e.message
            .contains("codedeploy:BatchGetDeploymentGroups was throttled"),
        "{}",
        e.message
    );
    let widened = conn.spacing("codedeploy");
    assert_eq!(widened, base * 2);
    let read = rollouts.environment(&prod()).await.unwrap();
    // A group never deployed to: no function known yet.
    assert_eq!(read.targets.len(), 1);
    assert_eq!(read.targets[0].latest, None);
    let after_one = conn.spacing("codedeploy");
    assert!(
        base < after_one && after_one < widened,
        "{base:?} < {after_one:?} < {widened:?}"
    );
    rollouts.environment(&prod()).await.unwrap();
    rollouts.environment(&prod()).await.unwrap();
    assert!(conn.spacing("codedeploy") < after_one);
}

#[tokio::test]
async fn without_the_batch_call_groups_are_read_one_by_one_and_a_missing_one_fails_alone() {
    let env = environment("prod", &[GROUP, "ghost"]);
    let (rollouts, replay, _) = replayed(
        vec![
            html_500(),
            cd(
                json!({ "deploymentGroupInfo": Group::new(GROUP).attempted("d-4", "Succeeded").succeeded("d-4").info() }),
            ),
            cd_error(
                400,
                "DeploymentGroupDoesNotExistException",
                "No Deployment Group found for name: ghost",
            ),
            deployments(&[deployment("d-4", "Succeeded", "3", "4", T0)]),
            function_version("3"),
            function_version("4"),
            alias("4", None),
            // The next refresh does not try the batch again.
            cd(
                json!({ "deploymentGroupInfo": Group::new(GROUP).attempted("d-4", "Succeeded").succeeded("d-4").info() }),
            ),
            cd_error(
                400,
                "DeploymentGroupDoesNotExistException",
                "No Deployment Group found for name: ghost",
            ),
        ],
        TestClock::at(T0 + 3600),
    );
    for _ in 0..2 {
        let read = rollouts.environment(&env).await.unwrap();
        assert_eq!(read.targets.len(), 1);
        assert_eq!(read.targets[0].group, GROUP);
        assert_eq!(read.targets[0].serving(), Some(&version("4")));
        assert_eq!(read.group_errors.len(), 1);
        let ghost = &read.group_errors[0];
        assert_eq!(ghost.group, "ghost");
        assert_eq!(ghost.error.kind, ErrorKind::NotFound);
        assert!(
            ghost.error.message.contains("ltbase/ghost"),
            "{}",
            ghost.error.message
        );
        assert!(
            ghost.error.message.contains("No Deployment Group found"),
            "{}",
            ghost.error.message
        );
    }
    assert_sent(
        &replay,
        &[
            "BatchGetDeploymentGroups",
            "GetDeploymentGroup",
            "GetDeploymentGroup",
            "BatchGetDeployments",
            &function_path("3"),
            &function_path("4"),
            GET_ALIAS,
            "GetDeploymentGroup",
            "GetDeploymentGroup",
        ],
    );
    assert_eq!(
        body(&replay, 2),
        json!({ "applicationName": APP, "deploymentGroupName": "ghost" })
    );
}

#[tokio::test]
async fn a_group_the_batch_does_not_know_gets_its_own_error() {
    let env = environment("prod", &[GROUP, "ghost"]);
    let (rollouts, _, _) = replayed(
        vec![
            cd(json!({
                "deploymentGroupsInfo": [Group::new(GROUP).info()],
                "errorMessage": "Deployment group(s) ghost do not exist.",
            })),
            // A group never deployed to is asked for its deployments.
            cd(json!({ "deployments": [] })),
        ],
        TestClock::at(T0),
    );
    let read = rollouts.environment(&env).await.unwrap();
    assert_eq!(read.targets.len(), 1);
    assert_eq!(read.group_errors.len(), 1);
    assert_eq!(read.group_errors[0].group, "ghost");
    assert!(
        read.group_errors[0]
            .error
            .message
            .contains("ghost do not exist")
    );
}

#[tokio::test]
async fn a_missing_application_fails_the_environment_plainly() {
    let missing = || {
        cd_error(
            400,
            "ApplicationDoesNotExistException",
            "No application found for name: ltbase",
        )
    };
    // From the batch call, and from GetDeploymentGroup where the batch is not served.
    for events in [vec![missing()], vec![html_500(), missing()]] {
        let (rollouts, replay, _) = replayed(events, TestClock::at(T0));
        let e = rollouts.environment(&prod()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(
            e.message,
            "the CodeDeploy application ltbase does not exist in us-east-1"
        );
        assert!(e.hint.unwrap().contains("environment prod"));
        assert!(sent(&replay).last().unwrap().contains("DeploymentGroup"));
    }
}

#[tokio::test]
async fn after_an_automatic_rollback_shiftdeck_does_not_offer_to_redeploy_the_bad_version() {
    // CodeDeploy rolls back by a new deployment (creator codeDeployRollback) from the bad
    // version to the old one; it becomes the group's last attempted and last successful.
    let mut back = deployment("d-6", "Succeeded", "5", "4", T0 + 800);
    back["creator"] = json!("codeDeployRollback");
    back["rollbackInfo"] = json!({
        "rollbackTriggeringDeploymentId": "d-5",
        "rollbackMessage": "Rollback for deployment d-5 because alarm ltbase-prod-api-5xx was in ALARM",
    });
    let (rollouts, _, _) = replayed(
        vec![
            groups(&[Group::new(GROUP)
                .attempted("d-6", "Succeeded")
                .succeeded("d-6")]),
            deployments(&[back]),
            function_version("5"),
            function_version("4"),
            alias("4", None),
        ],
        TestClock::at(T0 + 2000),
    );
    let read = rollouts.environment(&prod()).await.unwrap();
    let t = only_target(&read);
    let s = t.latest.as_ref().unwrap();
    assert!(s.is_rollback_redeploy);
    assert_eq!(t.serving(), Some(&version("4")));
    let refused = rollback_plan(t).unwrap_err();
    assert!(refused.contains("already a rollback"), "{refused}");
    assert!(!matches!(rollback_plan(t), Ok(RollbackPlan::Redeploy(_))));
}

#[tokio::test]
async fn a_refresh_of_150_groups_in_three_environments_stays_within_the_batching_maxima() {
    let log = Log::default();
    let sizes = [("prod", 110u32), ("staging", 25), ("dev", 15)];
    let conns: Vec<(&str, Arc<Connection>)> = sizes
        .iter()
        .map(|(name, _)| {
            (
                *name,
                connection(sdk!(routed(&log, fleet(|g| g % 5 == 0, false)))),
            )
        })
        .collect();
    let rollouts = rollouts(&conns, TestClock::at(T0 + 2400));
    let envs: Vec<(Environment, u32)> = sizes
        .iter()
        .map(|(name, n)| {
            let groups: Vec<String> = (0..*n).map(|i| format!("{name}-{i:03}")).collect();
            let refs: Vec<&str> = groups.iter().map(String::as_str).collect();
            (environment(name, &refs), *n)
        })
        .collect();
    let count =
        |calls: &BTreeMap<String, u32>, action: &str| calls.get(action).copied().unwrap_or(0);

    for (env, n) in &envs {
        let shifting = n.div_ceil(5);
        let idle = n - shifting;
        let read = rollouts.environment(env).await.unwrap();
        assert!(read.group_errors.is_empty(), "{:?}", read.group_errors);
        assert_eq!(read.targets.len() as u32, *n);
        assert_eq!(
            read.targets
                .iter()
                .filter(|t| t.active_shift().is_some())
                .count() as u32,
            shifting
        );
        let calls = &read.api_calls;
        assert_eq!(
            count(calls, "codedeploy:BatchGetDeploymentGroups"),
            n.div_ceil(100),
            "{}: {calls:?}",
            env.name
        );
        let wanted = 2 * shifting + idle;
        assert_eq!(
            count(calls, "codedeploy:BatchGetDeployments"),
            wanted.div_ceil(25),
            "{}: {calls:?}",
            env.name
        );
        assert_eq!(count(calls, "codedeploy:ListDeploymentTargets"), shifting);
        assert_eq!(
            count(calls, "codedeploy:BatchGetDeploymentTargets"),
            shifting
        );
        assert_eq!(
            count(calls, "lambda:GetAlias"),
            idle,
            "only idle aliases are read"
        );
        // Versions 1, 2 of every function, and 3 of those shifting: each described once.
        assert_eq!(count(calls, "lambda:GetFunction"), 2 * n + shifting);
        assert_eq!(calls.len(), 6, "{calls:?}");
        let sent = log.take();
        assert_eq!(
            sent.len() as u32,
            calls.values().sum::<u32>(),
            "api_calls counts every request"
        );
        for s in &sent {
            if s.what == "BatchGetDeployments" {
                let b: Value = serde_json::from_slice(&s.body).unwrap();
                assert!(b["deploymentIds"].as_array().unwrap().len() <= 25);
            }
            if s.what == "BatchGetDeploymentGroups" {
                let b: Value = serde_json::from_slice(&s.body).unwrap();
                assert!(b["deploymentGroupNames"].as_array().unwrap().len() <= 100);
            }
        }
        for t in read.targets.iter().filter(|t| t.active_shift().is_some()) {
            let path = format!("GET /2015-03-31/functions/{}/aliases/Prod", t.function);
            assert!(
                !sent.iter().any(|s| s.what == path),
                "GetAlias for shifting {}",
                t.function
            );
            assert_eq!(t.latest.as_ref().unwrap().target_percent, 30.0);
        }
    }

    // The second refresh re-reads only what can still change.
    for (env, n) in &envs {
        let shifting = n.div_ceil(5);
        let read = rollouts.environment(env).await.unwrap();
        assert_eq!(read.targets.len() as u32, *n);
        let calls = &read.api_calls;
        assert_eq!(
            *calls,
            BTreeMap::from([
                (
                    "codedeploy:BatchGetDeploymentGroups".to_string(),
                    n.div_ceil(100)
                ),
                (
                    "codedeploy:BatchGetDeployments".to_string(),
                    shifting.div_ceil(25)
                ),
                ("codedeploy:BatchGetDeploymentTargets".to_string(), shifting),
            ]),
            "{}",
            env.name
        );
        for s in log
            .take()
            .iter()
            .filter(|s| s.what == "BatchGetDeployments")
        {
            let b: Value = serde_json::from_slice(&s.body).unwrap();
            for id in b["deploymentIds"].as_array().unwrap() {
                assert!(
                    id.as_str().unwrap().ends_with("-2"),
                    "finished {id} read again"
                );
            }
        }
    }
}

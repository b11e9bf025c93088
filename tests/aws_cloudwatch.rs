//! The CloudWatch adapters (alarms and canary-against-baseline metrics) through the real
//! aws-sdk-cloudwatch client against ministack, each test on its own fresh server.

mod emulators;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::SystemTime;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricDatum, StandardUnit, StateValue, Statistic,
};
use emulators::ministack::Ministack;
use shiftdeck::aws::alarms::{self, AlarmsRead};
use shiftdeck::aws::connect::{Calls, Connection, ConnectionKey, Limits};
use shiftdeck::aws::metrics::{self, CloudWatchMetrics};
use shiftdeck::domain::pin::{PinLocator, PinRule};
use shiftdeck::domain::rollout::AlarmState;
use shiftdeck::domain::time::Timestamp;
use shiftdeck::environment::Environment;
use shiftdeck::ports::{Clock, ErrorKind, MetricTarget, Metrics};

const FUNCTION: &str = "ltbase-prod-api";

fn connection(server: &Ministack) -> Connection {
    // A generous budget: the limits under test are calls per read, not pacing.
    let limits = Limits {
        requests_per_second: 50.0,
        ..Limits::default()
    };
    Connection::from_sdk(ConnectionKey::default(), server.sdk_config(), limits)
}

fn now() -> Timestamp {
    Timestamp::from_system(SystemTime::now())
}

fn dimension(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

async fn p99_alarm(client: &Client, name: &str) {
    client
        .put_metric_alarm()
        .alarm_name(name)
        .namespace("AWS/Lambda")
        .metric_name("Duration")
        .extended_statistic("p99")
        .dimensions(dimension("FunctionName", FUNCTION))
        .dimensions(dimension("Resource", &format!("{FUNCTION}:Prod")))
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .threshold(800.0)
        .evaluation_periods(1)
        .period(60)
        .send()
        .await
        .expect("PutMetricAlarm");
}

async fn set_state(client: &Client, name: &str, state: StateValue, reason: &str) {
    client
        .set_alarm_state()
        .alarm_name(name)
        .state_value(state)
        .state_reason(reason)
        .send()
        .await
        .expect("SetAlarmState");
}

#[tokio::test]
async fn alarms_show_state_reason_threshold_and_last_change_and_missing_names() {
    let server = Ministack::start();
    let client = Client::new(&server.sdk_config());
    p99_alarm(&client, "prod-api-p99").await;
    client
        .put_metric_alarm()
        .alarm_name("prod-api-errors")
        .namespace("AWS/Lambda")
        .metric_name("Errors")
        .statistic(Statistic::Sum)
        .dimensions(dimension("FunctionName", FUNCTION))
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .threshold(5.0)
        .evaluation_periods(3)
        .datapoints_to_alarm(2)
        .period(60)
        .unit(StandardUnit::Count)
        .send()
        .await
        .expect("PutMetricAlarm");
    client
        .put_composite_alarm()
        .alarm_name("prod-api-any")
        .alarm_rule("ALARM(\"prod-api-p99\") OR ALARM(\"prod-api-errors\")")
        .send()
        .await
        .expect("PutCompositeAlarm");
    // ministack re-evaluates alarms on every put and ignores their dimensions, so the states
    // under test are set last. Its timestamps have second precision.
    let before = now().millis() / 1000 * 1000;
    let fired = "Threshold Crossed: 1 datapoint [912.4 (02/12/26 12:03:00)] was greater than the threshold (800.0).";
    set_state(&client, "prod-api-p99", StateValue::Alarm, fired).await;
    set_state(
        &client,
        "prod-api-errors",
        StateValue::Ok,
        "Threshold Crossed: no datapoints were greater than or equal to the threshold (5.0).",
    )
    .await;
    let after = now().millis() + 1000;

    let conn = connection(&server);
    let calls = Calls::default();
    let names: Vec<String> = [
        "prod-api-errors",
        "prod-api-p99",
        "prod-api-gone",
        "prod-api-any",
        "prod-api-p99",
    ]
    .map(String::from)
    .into();
    let AlarmsRead { alarms, missing } = alarms::describe(&conn, &calls, &names).await.unwrap();

    // In the order asked for, each once; the name that does not exist is not made up.
    let got: Vec<&str> = alarms.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(got, ["prod-api-errors", "prod-api-p99", "prod-api-any"]);
    assert_eq!(missing, ["prod-api-gone"]);
    assert_eq!(calls.take().get("cloudwatch:DescribeAlarms"), Some(&1));

    let errors = &alarms[0];
    assert_eq!(errors.state, AlarmState::Ok);
    assert_eq!(
        errors.threshold,
        "Errors Sum >= 5 for 2 of 3 datapoints within 3 minutes"
    );
    let p99 = &alarms[1];
    assert_eq!(p99.state, AlarmState::Alarm);
    assert_eq!(p99.reason, fired);
    assert_eq!(
        p99.threshold,
        "Duration p99 > 800 ms for 1 datapoint within 1 minute"
    );
    for a in [errors, p99] {
        assert!(
            (before..=after).contains(&a.updated_at.millis()),
            "{} changed at {:?}, not between {before} and {after}",
            a.name,
            a.updated_at
        );
    }
    // The composite follows its child into ALARM.
    let any = &alarms[2];
    assert_eq!(any.state, AlarmState::Alarm, "{any:?}");
    assert_eq!(
        any.threshold,
        "composite: ALARM(\"prod-api-p99\") OR ALARM(\"prod-api-errors\")"
    );
}

#[tokio::test]
async fn one_hundred_fifty_alarms_take_two_describe_calls() {
    let server = Ministack::start();
    let client = Client::new(&server.sdk_config());
    let names: Vec<String> = (0..150).map(|i| format!("prod-group{i:03}-p99")).collect();
    for name in &names {
        p99_alarm(&client, name).await;
    }
    let mut asked = names.clone();
    asked.push("prod-group-unknown-p99".into());

    let calls = Calls::default();
    let read = alarms::describe(&connection(&server), &calls, &asked)
        .await
        .unwrap();

    assert_eq!(calls.take().get("cloudwatch:DescribeAlarms"), Some(&2));
    let got: Vec<&String> = read.alarms.iter().map(|a| &a.name).collect();
    assert_eq!(got, names.iter().collect::<Vec<_>>());
    assert_eq!(read.missing, ["prod-group-unknown-p99"]);
    // New alarms have not been evaluated yet, as on AWS.
    assert!(
        read.alarms
            .iter()
            .all(|a| a.state == AlarmState::InsufficientData),
        "{:?}",
        read.alarms[0]
    );
}

/// One minute of one version behind an alias: Invocations and Errors as sums, Duration as a
/// distribution of `invocations` values whose p99 is `tail_ms` by any percentile method (the
/// top 2 % are all `tail_ms`).
struct Minute<'a> {
    resource: &'a str,
    version: &'a str,
    at: Timestamp,
    invocations: f64,
    errors: f64,
    body_ms: f64,
    tail_ms: f64,
}

fn data(m: &Minute) -> Vec<MetricDatum> {
    let dims = |d: aws_sdk_cloudwatch::types::builders::MetricDatumBuilder| {
        d.dimensions(dimension("FunctionName", FUNCTION))
            .dimensions(dimension("Resource", m.resource))
            .dimensions(dimension("ExecutedVersion", m.version))
            .timestamp(DateTime::from_millis(m.at.millis()))
    };
    let mut out = vec![
        dims(MetricDatum::builder().metric_name("Invocations"))
            .value(m.invocations)
            .unit(StandardUnit::Count)
            .build(),
        dims(MetricDatum::builder().metric_name("Errors"))
            .value(m.errors)
            .unit(StandardUnit::Count)
            .build(),
    ];
    if m.invocations > 0.0 {
        let tail = (m.invocations * 0.02).ceil();
        out.push(
            dims(MetricDatum::builder().metric_name("Duration"))
                .values(m.body_ms)
                .counts(m.invocations - tail)
                .values(m.tail_ms)
                .counts(tail)
                .unit(StandardUnit::Milliseconds)
                .build(),
        );
    }
    out
}

async fn publish(client: &Client, minutes: &[Minute<'_>]) {
    let all: Vec<MetricDatum> = minutes.iter().flat_map(data).collect();
    for batch in all.chunks(500) {
        client
            .put_metric_data()
            .namespace("AWS/Lambda")
            .set_metric_data(Some(batch.to_vec()))
            .send()
            .await
            .expect("PutMetricData");
    }
}

struct FixedClock(Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

fn environment(name: &str) -> Environment {
    Environment {
        name: name.into(),
        pin: PinLocator {
            file: "lib/config.ts".into(),
            rule: PinRule::Pattern("prodVersion = \"{version}\"".into()),
        },
        region: None,
        profile: None,
        application: "ltbase".into(),
        deployment_groups: vec!["api".into()],
        requires_approval: false,
        require_signed_approval: false,
        protected: true,
        accent: None,
        alias: "Prod".into(),
    }
}

#[tokio::test]
async fn canary_and_baseline_per_minute_with_gaps_as_gaps() {
    let server = Ministack::start();
    let client = Client::new(&server.sdk_config());
    let now = now();
    let (start, _) = metrics::window(now, 15);
    let minute = |m: i64| Timestamp(start.millis() + m * 60_000);
    let prod = format!("{FUNCTION}:Prod");
    let mut published = Vec::new();
    for m in 0..15 {
        // Baseline 13: 200 invocations a minute, 1 error, p99 400 ms; at minute 12 it was
        // idle (Invocations 0).
        let idle = m == 12;
        published.push(Minute {
            resource: &prod,
            version: "13",
            at: minute(m),
            invocations: if idle { 0.0 } else { 200.0 },
            errors: if idle { 0.0 } else { 1.0 },
            body_ms: 150.0,
            tail_ms: 400.0,
        });
        // Canary 14: error rate and p99 rising each minute; minute 6 never arrived.
        if m != 6 {
            published.push(Minute {
                resource: &prod,
                version: "14",
                at: minute(m),
                invocations: 100.0,
                errors: m as f64,
                body_ms: 200.0,
                tail_ms: 900.0 + m as f64,
            });
        }
    }
    // The same version behind another alias must not leak into Prod's numbers.
    let staging = format!("{FUNCTION}:Staging");
    published.push(Minute {
        resource: &staging,
        version: "14",
        at: minute(6),
        invocations: 10.0,
        errors: 10.0,
        body_ms: 5000.0,
        tail_ms: 9000.0,
    });
    publish(&client, &published).await;

    let conn = Arc::new(connection(&server));
    let targets = [MetricTarget {
        function: FUNCTION.into(),
        versions: vec!["13".into(), "14".into()],
    }];
    let calls = Calls::default();
    let got = metrics::read(&conn, &calls, "Prod", &targets, 15, now)
        .await
        .unwrap();
    assert_eq!(calls.take().get("cloudwatch:GetMetricData"), Some(&1));
    assert_eq!(got.len(), 2);
    let (baseline, canary) = (&got[0], &got[1]);
    assert_eq!(
        (baseline.version.as_str(), canary.version.as_str()),
        ("13", "14")
    );

    let mut want_rate = vec![Some(0.5); 15];
    let mut want_p99 = vec![Some(400.0); 15];
    want_rate[12] = None;
    want_p99[12] = None;
    assert_eq!(baseline.error_rate, want_rate, "baseline error rate");
    assert_eq!(baseline.p99_ms, want_p99, "baseline p99");

    let want_rate: Vec<Option<f64>> = (0..15).map(|m| (m != 6).then_some(f64::from(m))).collect();
    let want_p99: Vec<Option<f64>> = (0..15)
        .map(|m| (m != 6).then_some(900.0 + f64::from(m)))
        .collect();
    assert_eq!(canary.error_rate, want_rate, "canary error rate");
    assert_eq!(canary.p99_ms, want_p99, "canary p99");

    // The port reads the same through the environment's connection and alias.
    let port = CloudWatchMetrics::with_clock(
        HashMap::from([("prod".to_string(), conn.clone())]),
        Arc::new(FixedClock(now)),
    );
    let via_port = port
        .compare(&environment("prod"), &targets, 15)
        .await
        .unwrap();
    assert_eq!(via_port.series, got);
    // The port counts what the read cost, for the cockpit's calls view.
    assert_eq!(
        via_port.api_calls,
        BTreeMap::from([("cloudwatch:GetMetricData".to_string(), 1)])
    );
    let err = port
        .compare(&environment("qa"), &targets, 15)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("qa"), "{err:?}");
}

#[tokio::test]
async fn two_hundred_versions_take_two_metric_data_calls() {
    let server = Ministack::start();
    let client = Client::new(&server.sdk_config());
    let now = now();
    let (start, _) = metrics::window(now, 5);
    let at = Timestamp(start.millis() + 4 * 60_000);
    let prod = format!("{FUNCTION}:Prod");
    // 200 versions of one function: the first lands in the first call, the last two in the
    // second (queries 501..600).
    let versions: Vec<String> = (1..=200).map(|v| v.to_string()).collect();
    let published: Vec<Minute> = [("1", 1.0), ("199", 4.0), ("200", 8.0)]
        .into_iter()
        .map(|(version, errors)| Minute {
            resource: &prod,
            version,
            at,
            invocations: 400.0,
            errors,
            body_ms: 100.0,
            tail_ms: 700.0,
        })
        .collect();
    publish(&client, &published).await;

    let targets = [MetricTarget {
        function: FUNCTION.into(),
        versions,
    }];
    let calls = Calls::default();
    let got = metrics::read(&connection(&server), &calls, "Prod", &targets, 5, now)
        .await
        .unwrap();

    assert_eq!(calls.take().get("cloudwatch:GetMetricData"), Some(&2));
    assert_eq!(got.len(), 200);
    let rates: HashMap<&str, &Vec<Option<f64>>> = got
        .iter()
        .map(|v| (v.version.as_str(), &v.error_rate))
        .collect();
    assert_eq!(rates["1"], &vec![None, None, None, None, Some(0.25)]);
    assert_eq!(rates["199"], &vec![None, None, None, None, Some(1.0)]);
    assert_eq!(rates["200"], &vec![None, None, None, None, Some(2.0)]);
    assert_eq!(rates["100"], &vec![None; 5]);
    assert_eq!(got[199].p99_ms[4], Some(700.0));
}

//! Canary against baseline from CloudWatch: per Lambda version behind the alias (the
//! `ExecutedVersion` dimension), Errors, Invocations and Duration p99 a minute, for every
//! visible target in one `GetMetricData` call.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricDataResult, MetricStat, ScanBy, StatusCode,
};

use super::connect::{Calls, Connection};
use crate::domain::time::Timestamp;
use crate::environment::Environment;
use crate::ports::{
    Clock, ErrorKind, MetricTarget, Metrics, MetricsRead, PortError, PortResult, SystemClock,
    VersionMetrics,
};

/// GetMetricData takes at most 500 queries a call.
pub const MAX_QUERIES: usize = 500;
/// Three queries per version: Errors, Invocations, Duration p99.
pub const QUERIES_PER_VERSION: usize = 3;
const PERIOD_SECS: i32 = 60;
const MINUTE_MS: i64 = 60_000;

/// The `Metrics` port over CloudWatch, reading each environment through its own connection.
pub struct CloudWatchMetrics {
    connections: HashMap<String, Arc<Connection>>,
    clock: Arc<dyn Clock>,
}

impl CloudWatchMetrics {
    /// `connections` maps environment names to the connection of their profile and region;
    /// the window ends at the machine's clock.
    pub fn new(connections: HashMap<String, Arc<Connection>>) -> Self {
        Self::with_clock(connections, Arc::new(SystemClock))
    }

    /// The same with the window ending at `clock`'s time (tests).
    pub fn with_clock(
        connections: HashMap<String, Arc<Connection>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { connections, clock }
    }
}

#[async_trait]
impl Metrics for CloudWatchMetrics {
    async fn compare(
        &self,
        env: &Environment,
        targets: &[MetricTarget],
        minutes: u32,
    ) -> PortResult<MetricsRead> {
        let conn = self.connections.get(&env.name).ok_or_else(|| {
            PortError::new(
                ErrorKind::NotFound,
                format!("no AWS connection for environment {}", env.name),
            )
        })?;
        let calls = Calls::default();
        let series = read(conn, &calls, &env.alias, targets, minutes, self.clock.now()).await?;
        Ok(MetricsRead {
            series,
            api_calls: calls.take(),
        })
    }
}

/// The `minutes` whole minutes before the minute `now` falls in: the current minute is still
/// filling, so it would show a dip that is not there. Aligned to the period, as CloudWatch
/// advises for consistent buckets.
pub fn window(now: Timestamp, minutes: u32) -> (Timestamp, Timestamp) {
    let end = now.millis().div_euclid(MINUTE_MS) * MINUTE_MS;
    (
        Timestamp(end - i64::from(minutes) * MINUTE_MS),
        Timestamp(end),
    )
}

/// Per-minute metrics of every version of `targets` behind `alias`, oldest minute first, in the
/// order the targets and versions were given; ⌈queries/500⌉ calls plus any further pages.
pub async fn read(
    conn: &Connection,
    calls: &Calls,
    alias: &str,
    targets: &[MetricTarget],
    minutes: u32,
    now: Timestamp,
) -> PortResult<Vec<VersionMetrics>> {
    let (start, end) = window(now, minutes);
    let queries = queries(alias, targets);
    let mut points: HashMap<String, Vec<(i64, f64)>> = HashMap::new();
    if minutes > 0 {
        let client = aws_sdk_cloudwatch::Client::new(&conn.sdk);
        let resource = resource(targets);
        for chunk in queries.chunks(MAX_QUERIES) {
            let mut token: Option<String> = None;
            loop {
                let request = client
                    .get_metric_data()
                    .set_metric_data_queries(Some(chunk.to_vec()))
                    .start_time(DateTime::from_millis(start.millis()))
                    .end_time(DateTime::from_millis(end.millis()))
                    .scan_by(ScanBy::TimestampAscending)
                    .set_next_token(token.take())
                    .send();
                let out = conn
                    .call(
                        calls,
                        conn.site("cloudwatch:GetMetricData", resource.clone()),
                        request,
                    )
                    .await?;
                for result in out.metric_data_results() {
                    collect(result, &mut points)?;
                }
                match out.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => break,
                }
            }
        }
    }
    Ok(assemble(targets, &points, start, minutes))
}

/// The queries for `targets`, three per version, ids `e<n>`, `i<n>`, `d<n>` for the n-th
/// version overall (ids must start with a lowercase letter).
pub fn queries(alias: &str, targets: &[MetricTarget]) -> Vec<MetricDataQuery> {
    let mut out = Vec::new();
    for (n, (function, version)) in versions(targets).enumerate() {
        for (prefix, metric, stat) in [
            ("e", "Errors", "Sum"),
            ("i", "Invocations", "Sum"),
            ("d", "Duration", "p99"),
        ] {
            out.push(query(
                &format!("{prefix}{n}"),
                function,
                alias,
                version,
                metric,
                stat,
            ));
        }
    }
    out
}

fn versions(targets: &[MetricTarget]) -> impl Iterator<Item = (&str, &str)> {
    targets.iter().flat_map(|t| {
        t.versions
            .iter()
            .map(move |v| (t.function.as_str(), v.as_str()))
    })
}

/// Lambda publishes per-version metrics under FunctionName + Resource (`function:alias`) +
/// ExecutedVersion when invoked through an alias; no unit is given, since a unit that differs
/// from the published one matches nothing.
fn query(
    id: &str,
    function: &str,
    alias: &str,
    version: &str,
    metric: &str,
    stat: &str,
) -> MetricDataQuery {
    let dimension =
        |name: &str, value: String| Dimension::builder().name(name).value(value).build();
    MetricDataQuery::builder()
        .id(id)
        .return_data(true)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("AWS/Lambda")
                        .metric_name(metric)
                        .dimensions(dimension("FunctionName", function.to_string()))
                        .dimensions(dimension("Resource", format!("{function}:{alias}")))
                        .dimensions(dimension("ExecutedVersion", version.to_string()))
                        .build(),
                )
                .period(PERIOD_SECS)
                .stat(stat)
                .build(),
        )
        .build()
}

fn resource(targets: &[MetricTarget]) -> String {
    match targets {
        [] => "no functions".into(),
        [one] => format!("Lambda metrics of {}", one.function),
        [first, rest @ ..] => format!(
            "Lambda metrics of {} and {} more functions",
            first.function,
            rest.len()
        ),
    }
}

/// Adds one result's datapoints (a later page may carry more of the same id). A result that
/// CloudWatch could not compute fails the read: showing its minutes as gaps would pass a
/// failure off as quiet traffic.
fn collect(
    result: &MetricDataResult,
    points: &mut HashMap<String, Vec<(i64, f64)>>,
) -> PortResult<()> {
    let id = result.id().unwrap_or_default();
    let said = || {
        result
            .messages()
            .iter()
            .filter_map(|m| m.value().or(m.code()))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match result.status_code() {
        Some(StatusCode::InternalError) => {
            return Err(PortError::new(
                ErrorKind::Unavailable,
                format!(
                    "CloudWatch could not compute the metric {} ({id}): {}",
                    result.label().unwrap_or(id),
                    said()
                ),
            )
            .with_hint("shiftdeck reads the metrics again at the next refresh"));
        }
        Some(StatusCode::Forbidden) => {
            return Err(PortError::new(
                ErrorKind::AccessDenied,
                format!(
                    "CloudWatch refused the metric {} ({id}): {}",
                    result.label().unwrap_or(id),
                    said()
                ),
            )
            .with_hint(
                "grant cloudwatch:GetMetricData to this role (docs/iam.md has the policies)",
            ));
        }
        _ => {}
    }
    let entry = points.entry(id.to_string()).or_default();
    for (t, v) in result.timestamps().iter().zip(result.values()) {
        if let Ok(ms) = t.to_millis() {
            entry.push((ms, *v));
        }
    }
    Ok(())
}

/// One value per minute of the window, `None` where CloudWatch has no datapoint. A minute
/// without invocations (or with Invocations 0) has no error rate rather than 0 %.
pub fn assemble(
    targets: &[MetricTarget],
    points: &HashMap<String, Vec<(i64, f64)>>,
    start: Timestamp,
    minutes: u32,
) -> Vec<VersionMetrics> {
    let grid = |id: String| -> Vec<Option<f64>> {
        let mut out = vec![None; minutes as usize];
        for (ms, v) in points.get(&id).into_iter().flatten() {
            let offset = ms - start.millis();
            if offset < 0 {
                continue;
            }
            if let Some(slot) = out.get_mut((offset / MINUTE_MS) as usize) {
                *slot = Some(*v);
            }
        }
        out
    };
    versions(targets)
        .enumerate()
        .map(|(n, (function, version))| {
            let errors = grid(format!("e{n}"));
            let invocations = grid(format!("i{n}"));
            let error_rate = errors
                .iter()
                .zip(&invocations)
                .map(|(e, i)| match (e, i) {
                    (Some(e), Some(i)) if *i > 0.0 => Some(100.0 * e / i),
                    _ => None,
                })
                .collect();
            VersionMetrics {
                function: function.to_string(),
                version: version.to_string(),
                error_rate,
                p99_ms: grid(format!("d{n}")),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<MetricTarget> {
        vec![
            MetricTarget {
                function: "ltbase-prod-api".into(),
                versions: vec!["13".into(), "14".into()],
            },
            MetricTarget {
                function: "ltbase-prod-worker".into(),
                versions: vec!["7".into()],
            },
        ]
    }

    #[test]
    fn the_window_is_the_whole_minutes_before_now() {
        let now = Timestamp(10 * MINUTE_MS + 42_000);
        assert_eq!(
            window(now, 3),
            (Timestamp(7 * MINUTE_MS), Timestamp(10 * MINUTE_MS))
        );
    }

    #[test]
    fn every_version_gets_three_queries_with_valid_unique_ids() {
        let q = queries("Prod", &targets());
        assert_eq!(q.len(), 9);
        let ids: Vec<&str> = q.iter().filter_map(|q| q.id()).collect();
        assert_eq!(ids, ["e0", "i0", "d0", "e1", "i1", "d1", "e2", "i2", "d2"]);
        for id in &ids {
            assert!(id.starts_with(|c: char| c.is_ascii_lowercase()));
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            );
        }
        let stat = q[5].metric_stat().unwrap();
        assert_eq!(stat.stat(), Some("p99"));
        assert_eq!(stat.period(), Some(60));
        let metric = stat.metric().unwrap();
        assert_eq!(metric.metric_name(), Some("Duration"));
        let dims: Vec<(&str, &str)> = metric
            .dimensions()
            .iter()
            .map(|d| (d.name().unwrap(), d.value().unwrap()))
            .collect();
        assert_eq!(
            dims,
            [
                ("FunctionName", "ltbase-prod-api"),
                ("Resource", "ltbase-prod-api:Prod"),
                ("ExecutedVersion", "14"),
            ]
        );
    }

    #[test]
    fn results_map_back_by_id_and_gaps_stay_gaps() {
        let start = Timestamp(100 * MINUTE_MS);
        let at = |m: i64| start.millis() + m * MINUTE_MS;
        let points = HashMap::from([
            // Version 14 of the api: minutes 0, 2 and 3 (minute 1 had no traffic); minute 3
            // has Invocations 0.
            (
                "e1".to_string(),
                vec![(at(0), 1.0), (at(2), 0.0), (at(3), 0.0)],
            ),
            (
                "i1".to_string(),
                vec![(at(0), 50.0), (at(2), 200.0), (at(3), 0.0)],
            ),
            ("d1".to_string(), vec![(at(0), 310.0), (at(2), 295.5)]),
            // Outside the window: ignored rather than wrapped into a slot.
            ("d0".to_string(), vec![(at(-1), 999.0), (at(4), 999.0)]),
        ]);
        let m = assemble(&targets(), &points, start, 4);
        assert_eq!(m.len(), 3);
        assert_eq!(
            (m[1].function.as_str(), m[1].version.as_str()),
            ("ltbase-prod-api", "14")
        );
        assert_eq!(m[1].error_rate, [Some(2.0), None, Some(0.0), None]);
        assert_eq!(m[1].p99_ms, [Some(310.0), None, Some(295.5), None]);
        assert_eq!(m[0].p99_ms, [None; 4]);
        assert_eq!(m[2].version, "7");
        assert_eq!(m[2].error_rate, [None; 4]);
    }

    #[test]
    fn a_result_cloudwatch_could_not_compute_is_an_error_not_a_gap() {
        let result = MetricDataResult::builder()
            .id("d0")
            .status_code(StatusCode::InternalError)
            .messages(
                aws_sdk_cloudwatch::types::MessageData::builder()
                    .code("Unsupported")
                    .value("Expressions not implemented")
                    .build(),
            )
            .build();
        let err = collect(&result, &mut HashMap::new()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unavailable);
        assert!(
            err.message.contains("Expressions not implemented"),
            "{err:?}"
        );
    }
}

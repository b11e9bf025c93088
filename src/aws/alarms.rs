//! CloudWatch alarms of the deployment groups: `DescribeAlarms` by name, turned into the
//! state, reason, threshold and last change the shift pane shows.

use std::collections::{BTreeMap, HashSet};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    AlarmType, ComparisonOperator, CompositeAlarm, MetricAlarm, MetricDataQuery, StandardUnit,
    StateValue,
};

use super::connect::{Calls, Connection};
use crate::domain::rollout::{Alarm, AlarmState};
use crate::domain::time::Timestamp;
use crate::ports::PortResult;

/// DescribeAlarms takes at most 100 names a call.
pub const NAMES_PER_CALL: usize = 100;

/// What DescribeAlarms said about the names asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct AlarmsRead {
    /// The alarms that exist, in the order their names were asked for.
    pub alarms: Vec<Alarm>,
    /// Names asked for that this account and region do not have: a deployment group's
    /// configured alarm that does not exist cannot stop a bad shift, and the UI says so.
    pub missing: Vec<String>,
}

/// Reads the alarms called `names` (duplicates are asked for once), ⌈names/100⌉ calls plus any
/// further pages.
pub async fn describe(
    conn: &Connection,
    calls: &Calls,
    names: &[String],
) -> PortResult<AlarmsRead> {
    let mut seen = HashSet::new();
    let wanted: Vec<&String> = names.iter().filter(|n| seen.insert(n.as_str())).collect();
    let client = aws_sdk_cloudwatch::Client::new(&conn.sdk);
    let mut found: BTreeMap<String, Alarm> = BTreeMap::new();
    for chunk in wanted.chunks(NAMES_PER_CALL) {
        let resource = match chunk {
            [one] => format!("alarm {one}"),
            [first, rest @ ..] => format!("alarm {first} and {} more", rest.len()),
            [] => continue,
        };
        let mut token: Option<String> = None;
        loop {
            let request = client
                .describe_alarms()
                .set_alarm_names(Some(chunk.iter().map(|n| n.to_string()).collect()))
                // Without AlarmTypes only metric alarms come back, and a group may watch a
                // composite alarm.
                .alarm_types(AlarmType::MetricAlarm)
                .alarm_types(AlarmType::CompositeAlarm)
                // The default page is 50, which would split every full chunk in two.
                .max_records(NAMES_PER_CALL as i32)
                .set_next_token(token.take())
                .send();
            let out = conn
                .call(
                    calls,
                    conn.site("cloudwatch:DescribeAlarms", resource.clone()),
                    request,
                )
                .await?;
            let alarms = out
                .metric_alarms()
                .iter()
                .map(from_metric_alarm)
                .chain(out.composite_alarms().iter().map(from_composite_alarm));
            for alarm in alarms {
                found.insert(alarm.name.clone(), alarm);
            }
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    let mut read = AlarmsRead {
        alarms: Vec::new(),
        missing: Vec::new(),
    };
    for name in wanted {
        match found.remove(name.as_str()) {
            Some(alarm) => read.alarms.push(alarm),
            None => read.missing.push(name.clone()),
        }
    }
    Ok(read)
}

pub fn from_metric_alarm(a: &MetricAlarm) -> Alarm {
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        state: state(a.state_value()),
        reason: a.state_reason().unwrap_or_default().to_string(),
        threshold: threshold_text(a),
        updated_at: last_change(
            a.state_transitioned_timestamp(),
            a.state_updated_timestamp(),
            a.alarm_configuration_updated_timestamp(),
        ),
    }
}

pub fn from_composite_alarm(a: &CompositeAlarm) -> Alarm {
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        state: state(a.state_value()),
        reason: a.state_reason().unwrap_or_default().to_string(),
        threshold: format!("composite: {}", a.alarm_rule().unwrap_or("(no rule)")),
        updated_at: last_change(
            a.state_transitioned_timestamp(),
            a.state_updated_timestamp(),
            a.alarm_configuration_updated_timestamp(),
        ),
    }
}

/// A state this SDK does not know yet says as little as INSUFFICIENT_DATA: shiftdeck cannot
/// tell whether it breaches.
fn state(v: Option<&StateValue>) -> AlarmState {
    match v {
        Some(StateValue::Ok) => AlarmState::Ok,
        Some(StateValue::Alarm) => AlarmState::Alarm,
        _ => AlarmState::InsufficientData,
    }
}

/// When the alarm entered its current state. StateUpdatedTimestamp also moves when only the
/// reason is rewritten within the same state, so the transition time, where CloudWatch gives
/// one, is what "ALARM since" means.
fn last_change(
    transitioned: Option<&DateTime>,
    updated: Option<&DateTime>,
    configured: Option<&DateTime>,
) -> Timestamp {
    [transitioned, updated, configured]
        .into_iter()
        .flatten()
        .find_map(|t| t.to_millis().ok())
        .map(Timestamp)
        .unwrap_or_default()
}

/// The alarm's condition in words, e.g. `Duration p99 > 800 ms for 1 datapoint within 1
/// minute` or `2 of 3 datapoints within 3 minutes` for an M-of-N alarm.
pub fn threshold_text(a: &MetricAlarm) -> String {
    let band = a.threshold_metric_id();
    let watched = a
        .metrics()
        .iter()
        .find(|q| q.return_data() != Some(false) && q.id() != band);
    let subject = if let Some(metric) = a.metric_name() {
        let stat = a.extended_statistic().or(a.statistic().map(|s| s.as_str()));
        match stat {
            Some(stat) => format!("{metric} {stat}"),
            None => metric.to_string(),
        }
    } else if let Some(q) = watched {
        query_text(q, a.metrics())
    } else if let Some(query) = a
        .evaluation_criteria()
        .and_then(|c| c.as_prom_ql_criteria().ok())
        .and_then(|c| c.query())
    {
        format!("PromQL {query}")
    } else {
        "(no metric)".to_string()
    };
    let unit = unit_text(a.unit(), a.namespace(), a.metric_name());
    let band_text = || {
        a.metrics()
            .iter()
            .find(|q| q.id() == band)
            .map(|q| query_text(q, a.metrics()))
            .unwrap_or_else(|| band.unwrap_or("the band").to_string())
    };
    let threshold = a.threshold().map(number).unwrap_or_else(|| "?".into());
    let condition = match a.comparison_operator() {
        Some(ComparisonOperator::GreaterThanThreshold) => format!("> {threshold}{unit}"),
        Some(ComparisonOperator::GreaterThanOrEqualToThreshold) => format!(">= {threshold}{unit}"),
        Some(ComparisonOperator::LessThanThreshold) => format!("< {threshold}{unit}"),
        Some(ComparisonOperator::LessThanOrEqualToThreshold) => format!("<= {threshold}{unit}"),
        Some(ComparisonOperator::GreaterThanUpperThreshold) => format!("above {}", band_text()),
        Some(ComparisonOperator::LessThanLowerThreshold) => format!("below {}", band_text()),
        Some(ComparisonOperator::LessThanLowerOrGreaterThanUpperThreshold) => {
            format!("outside {}", band_text())
        }
        Some(other) => format!("{} {threshold}{unit}", other.as_str()),
        None => format!("? {threshold}{unit}"),
    };
    let period = a.period().or_else(|| {
        watched
            .and_then(|q| q.metric_stat().and_then(|s| s.period()).or(q.period()))
            .or_else(|| {
                a.metrics()
                    .iter()
                    .find_map(|q| q.metric_stat().and_then(|s| s.period()))
            })
    });
    let mut text = format!("{subject} {condition}");
    if let Some(n) = a.evaluation_periods() {
        text.push_str(&match a.datapoints_to_alarm() {
            Some(m) if m != n => format!(" for {m} of {n} datapoints"),
            _ => format!(" for {n} datapoint{}", if n == 1 { "" } else { "s" }),
        });
        if let Some(p) = period {
            text.push_str(&format!(" within {}", span(i64::from(p) * i64::from(n))));
        }
    } else if let Some(p) = period {
        text.push_str(&format!(" per {}", span(i64::from(p))));
    }
    text
}

/// A metric math query as a person reads it: its label, or its expression with the ids of the
/// other queries replaced by their metric names (`100*(m1/m2)` → `100*(Errors/Invocations)`).
fn query_text(q: &MetricDataQuery, all: &[MetricDataQuery]) -> String {
    if let Some(label) = q.label().filter(|l| !l.trim().is_empty()) {
        return label.to_string();
    }
    if let Some(stat) = q.metric_stat() {
        let metric = stat
            .metric()
            .and_then(|m| m.metric_name())
            .unwrap_or("(metric)");
        return match stat.stat() {
            Some(s) => format!("{metric} {s}"),
            None => metric.to_string(),
        };
    }
    let names: BTreeMap<&str, &str> = all
        .iter()
        .filter_map(|o| {
            let name = o.metric_stat()?.metric()?.metric_name()?;
            Some((o.id()?, name))
        })
        .collect();
    substitute_ids(q.expression().unwrap_or("(expression)"), &names)
}

/// Replaces whole identifier tokens found in `names`, leaving quoted strings (SEARCH terms)
/// alone. Query ids start with a lowercase letter and functions are upper case, so a function
/// name is never taken for an id.
fn substitute_ids(expression: &str, names: &BTreeMap<&str, &str>) -> String {
    let mut out = String::with_capacity(expression.len());
    let mut quote: Option<char> = None;
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        out.push_str(names.get(token.as_str()).copied().unwrap_or(token));
        token.clear();
    };
    for c in expression.chars() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            token.push(c);
            continue;
        }
        flush(&mut token, &mut out);
        if c == '\'' || c == '"' {
            quote = Some(c);
        }
        out.push(c);
    }
    flush(&mut token, &mut out);
    out
}

/// The unit after a threshold. Lambda's Duration is in milliseconds by definition, so an alarm
/// on it without a unit still reads as ms.
fn unit_text(unit: Option<&StandardUnit>, namespace: Option<&str>, metric: Option<&str>) -> String {
    match unit {
        Some(StandardUnit::Percent) => "%".into(),
        Some(StandardUnit::Milliseconds) => " ms".into(),
        Some(StandardUnit::Seconds) => " s".into(),
        Some(StandardUnit::Microseconds) => " µs".into(),
        Some(StandardUnit::Count) | Some(StandardUnit::None) => String::new(),
        Some(other) => format!(" {}", other.as_str().to_lowercase()),
        None if namespace == Some("AWS/Lambda") && metric == Some("Duration") => " ms".into(),
        None => String::new(),
    }
}

/// `1`, `0.5`, `800`: no trailing `.0` on whole thresholds.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

fn span(secs: i64) -> String {
    let (n, unit) = if secs >= 3600 && secs % 3600 == 0 {
        (secs / 3600, "hour")
    } else if secs >= 60 && secs % 60 == 0 {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudwatch::types::{Metric, MetricStat, Statistic};

    fn stat_query(id: &str, metric: &str, stat: &str) -> MetricDataQuery {
        MetricDataQuery::builder()
            .id(id)
            .return_data(false)
            .metric_stat(
                MetricStat::builder()
                    .metric(
                        Metric::builder()
                            .namespace("AWS/Lambda")
                            .metric_name(metric)
                            .build(),
                    )
                    .period(60)
                    .stat(stat)
                    .build(),
            )
            .build()
    }

    fn p99_alarm() -> MetricAlarm {
        p99_builder().build()
    }

    fn p99_builder() -> aws_sdk_cloudwatch::types::builders::MetricAlarmBuilder {
        MetricAlarm::builder()
            .alarm_name("prod-api-p99")
            .namespace("AWS/Lambda")
            .metric_name("Duration")
            .extended_statistic("p99")
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .threshold(800.0)
            .evaluation_periods(1)
            .period(60)
    }

    #[test]
    fn a_p99_alarm_reads_like_the_simulators() {
        assert_eq!(
            threshold_text(&p99_alarm()),
            "Duration p99 > 800 ms for 1 datapoint within 1 minute"
        );
    }

    #[test]
    fn m_of_n_alarms_say_both_and_the_whole_window() {
        let errors = |m| {
            MetricAlarm::builder()
                .metric_name("Errors")
                .statistic(Statistic::Sum)
                .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
                .threshold(5.0)
                .evaluation_periods(3)
                .datapoints_to_alarm(m)
                .period(300)
                .build()
        };
        assert_eq!(
            threshold_text(&errors(2)),
            "Errors Sum >= 5 for 2 of 3 datapoints within 15 minutes"
        );
        let same = errors(3);
        assert_eq!(
            threshold_text(&same),
            "Errors Sum >= 5 for 3 datapoints within 15 minutes"
        );
    }

    #[test]
    fn a_metric_math_alarm_names_its_expression_in_metric_names() {
        // ReturnData left out means true, as in the API.
        let rate = |label: Option<&str>| {
            MetricAlarm::builder()
                .alarm_name("prod-api-5xx-rate")
                .metrics(stat_query("m1", "Errors", "Sum"))
                .metrics(stat_query("m2", "Invocations", "Sum"))
                .metrics(
                    MetricDataQuery::builder()
                        .id("rate")
                        .expression("100*(m1/m2)")
                        .set_label(label.map(String::from))
                        .build(),
                )
                .comparison_operator(ComparisonOperator::GreaterThanThreshold)
                .threshold(1.0)
                .evaluation_periods(1)
                .build()
        };
        assert_eq!(
            threshold_text(&rate(None)),
            "100*(Errors/Invocations) > 1 for 1 datapoint within 1 minute"
        );
        assert_eq!(
            threshold_text(&rate(Some("Error rate"))),
            "Error rate > 1 for 1 datapoint within 1 minute"
        );
    }

    #[test]
    fn quoted_search_terms_and_functions_are_not_taken_for_ids() {
        let names = BTreeMap::from([("m1", "Errors")]);
        assert_eq!(
            substitute_ids("SUM(SEARCH('m1 Errors', 'Sum', 60)) + m1 + m10", &names),
            "SUM(SEARCH('m1 Errors', 'Sum', 60)) + Errors + m10"
        );
    }

    #[test]
    fn an_anomaly_band_alarm_names_the_band() {
        let a = MetricAlarm::builder()
            .metrics(
                MetricDataQuery::builder()
                    .id("m1")
                    .metric_stat(
                        stat_query("m1", "Duration", "p99")
                            .metric_stat()
                            .unwrap()
                            .clone(),
                    )
                    .build(),
            )
            .metrics(
                MetricDataQuery::builder()
                    .id("ad1")
                    .expression("ANOMALY_DETECTION_BAND(m1, 2)")
                    .build(),
            )
            .threshold_metric_id("ad1")
            .comparison_operator(ComparisonOperator::GreaterThanUpperThreshold)
            .evaluation_periods(2)
            .build();
        assert_eq!(
            threshold_text(&a),
            "Duration p99 above ANOMALY_DETECTION_BAND(Duration, 2) for 2 datapoints within 2 minutes"
        );
    }

    #[test]
    fn state_reason_and_transition_time_are_carried_over() {
        let firing = || {
            p99_builder()
                .state_value(StateValue::Alarm)
                .state_reason(
                    "Threshold Crossed: 1 datapoint [912.0] was greater than the threshold (800.0).",
                )
                .state_updated_timestamp(DateTime::from_millis(2_000_000))
        };
        let a = firing()
            .state_transitioned_timestamp(DateTime::from_millis(1_000_000))
            .build();
        let alarm = from_metric_alarm(&a);
        assert_eq!(alarm.name, "prod-api-p99");
        assert_eq!(alarm.state, AlarmState::Alarm);
        assert!(alarm.reason.starts_with("Threshold Crossed"));
        assert_eq!(alarm.updated_at, Timestamp(1_000_000));
        // Older alarms (and some emulators) have no transition time.
        let older = firing().build();
        assert_eq!(from_metric_alarm(&older).updated_at, Timestamp(2_000_000));
    }

    #[test]
    fn states_map_and_unknown_ones_say_nothing_more_than_insufficient_data() {
        assert_eq!(state(Some(&StateValue::Ok)), AlarmState::Ok);
        assert_eq!(state(Some(&StateValue::Alarm)), AlarmState::Alarm);
        assert_eq!(
            state(Some(&StateValue::InsufficientData)),
            AlarmState::InsufficientData
        );
        assert_eq!(
            state(Some(&StateValue::from("SOMETHING_NEW"))),
            AlarmState::InsufficientData
        );
    }

    #[test]
    fn a_composite_alarm_shows_its_rule() {
        let a = CompositeAlarm::builder()
            .alarm_name("prod-api-any")
            .alarm_rule("ALARM(prod-api-p99) OR ALARM(prod-api-5xx-rate)")
            .state_value(StateValue::Ok)
            .build();
        let alarm = from_composite_alarm(&a);
        assert_eq!(
            alarm.threshold,
            "composite: ALARM(prod-api-p99) OR ALARM(prod-api-5xx-rate)"
        );
        assert_eq!(alarm.state, AlarmState::Ok);
    }

    #[test]
    fn numbers_and_spans_read_naturally() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(span(60), "1 minute");
        assert_eq!(span(30), "30 seconds");
        assert_eq!(span(7200), "2 hours");
        assert_eq!(span(90), "90 seconds");
    }
}

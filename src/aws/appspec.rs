//! The AppSpec of a Lambda deployment: read from a deployment's revision (to learn the function,
//! alias, versions and hook functions where no deployment target says so), and written for a
//! rollback deployment.

use serde_json::{Value, json};

/// What an AppSpec says about the one Lambda alias it shifts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppSpec {
    pub function: String,
    pub alias: String,
    pub current_version: String,
    pub target_version: String,
    /// (lifecycle event, hook function name)
    pub hooks: Vec<(String, String)>,
}

/// Reads a JSON AppSpec (`version: 0.0`, one `AWS::Lambda::Function` resource). YAML AppSpecs
/// are not read; for them the deployment targets carry the same facts.
pub fn parse(content: &str) -> Option<AppSpec> {
    let doc: Value = serde_json::from_str(content).ok()?;
    let resources = doc.get("Resources").or_else(|| doc.get("resources"))?;
    let resource = match resources {
        Value::Array(items) => items.iter().find_map(first_value)?,
        Value::Object(_) => first_value(resources)?,
        _ => return None,
    };
    let props = resource
        .get("Properties")
        .or_else(|| resource.get("properties"))?;
    let text = |k: &str| {
        props.get(k).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let hooks = doc
        .get("Hooks")
        .and_then(Value::as_array)
        .map(|hs| {
            hs.iter()
                .filter_map(Value::as_object)
                .flat_map(|h| h.iter())
                .filter_map(|(event, f)| Some((event.clone(), f.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Some(AppSpec {
        function: text("Name")?,
        alias: text("Alias")?,
        current_version: text("CurrentVersion").unwrap_or_default(),
        target_version: text("TargetVersion")?,
        hooks,
    })
}

fn first_value(v: &Value) -> Option<&Value> {
    v.as_object()?.values().next()
}

/// The AppSpec of a rollback: `alias` of `function` from `current` back to `target`, with the
/// given hooks (none for an emergency return).
pub fn build(spec: &AppSpec) -> String {
    let mut doc = json!({
        "version": 0.0,
        "Resources": [{
            "ShiftdeckRollback": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Name": spec.function,
                    "Alias": spec.alias,
                    "CurrentVersion": spec.current_version,
                    "TargetVersion": spec.target_version,
                }
            }
        }]
    });
    if !spec.hooks.is_empty() {
        doc["Hooks"] = Value::Array(
            spec.hooks
                .iter()
                .map(|(event, f)| json!({ event.as_str(): f }))
                .collect(),
        );
    }
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_cloudformation_writes() {
        let content = r#"{"version":0.0,"Resources":[{"ltbase-api":{"Type":"AWS::Lambda::Function","Properties":{"Name":"ltbase-prod-api","Alias":"Prod","CurrentVersion":"3","TargetVersion":"4"}}}],"Hooks":[{"BeforeAllowTraffic":"ltbase-prod-gate"}]}"#;
        assert_eq!(
            parse(content),
            Some(AppSpec {
                function: "ltbase-prod-api".into(),
                alias: "Prod".into(),
                current_version: "3".into(),
                target_version: "4".into(),
                hooks: vec![("BeforeAllowTraffic".into(), "ltbase-prod-gate".into())],
            })
        );
    }

    #[test]
    fn a_built_rollback_reads_back_and_has_no_hooks_unless_asked() {
        let spec = AppSpec {
            function: "f".into(),
            alias: "Prod".into(),
            current_version: "4".into(),
            target_version: "3".into(),
            hooks: vec![],
        };
        let text = build(&spec);
        assert!(!text.contains("Hooks"), "{text}");
        assert_eq!(parse(&text), Some(spec));
    }

    #[test]
    fn yaml_and_garbage_are_not_guessed_at() {
        assert_eq!(parse("version: 0.0\nResources: []"), None);
        assert_eq!(parse("{}"), None);
        assert_eq!(
            parse(r#"{"Resources":[{"x":{"Properties":{"Name":"f"}}}]}"#),
            None
        );
    }
}

//! The commit message of a pin change, with the trailers that make it auditable in git.

use super::audit::ActionKind;
use super::version::Version;

/// What a pin commit says: one subject, the change, an optional reason, then trailers.
pub fn pin_commit_message(
    env: &str,
    from: Option<&Version>,
    to: &Version,
    action: ActionKind,
    as_proposal: bool,
    reason: Option<&str>,
    released_by: &str,
) -> String {
    let subject = match (action, as_proposal) {
        (ActionKind::Rollback, _) => format!("Roll back {env} to {to}"),
        (_, true) => format!("Propose pinning {env} to {to}"),
        _ => format!("Pin {env} to {to}"),
    };
    let change = match from {
        Some(from) => format!("{env}: {from} → {to}"),
        None => format!("{env}: → {to}"),
    };
    let mut msg = format!("{subject}\n\n{change}\n");
    if let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        msg.push_str(&format!("\n{reason}\n"));
    }
    msg.push_str(&format!(
        "\nShiftdeck-Action: {}\nShiftdeck-Env: {env}\nReleased-by: {released_by}\n",
        action.verb()
    ));
    msg
}

/// Appends an `Approved-by:` trailer to an existing message's trailer block.
pub fn with_approval(message: &str, approver: &str) -> String {
    format!("{}\nApproved-by: {approver}\n", message.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promote_message_has_subject_change_and_trailers() {
        let from = Version::parse("v1.2.0").unwrap();
        let to = Version::parse("v1.3.0").unwrap();
        let msg = pin_commit_message(
            "staging",
            Some(&from),
            &to,
            ActionKind::Promote,
            false,
            None,
            "A <a@x>",
        );
        assert_eq!(
            msg,
            "Pin staging to v1.3.0\n\nstaging: v1.2.0 → v1.3.0\n\nShiftdeck-Action: promote\nShiftdeck-Env: staging\nReleased-by: A <a@x>\n"
        );
        let approved = with_approval(&msg, "B <b@x>");
        assert!(
            approved.ends_with("Released-by: A <a@x>\nApproved-by: B <b@x>\n"),
            "{approved}"
        );
    }

    #[test]
    fn rollback_message_carries_the_reason() {
        let from = Version::parse("v1.4.0").unwrap();
        let to = Version::parse("v1.3.0").unwrap();
        let msg = pin_commit_message(
            "prod",
            Some(&from),
            &to,
            ActionKind::Rollback,
            false,
            Some("5xx spike"),
            "A <a@x>",
        );
        assert!(msg.starts_with("Roll back prod to v1.3.0\n"));
        assert!(msg.contains("\n5xx spike\n") && msg.contains("Shiftdeck-Action: rollback"));
    }
}

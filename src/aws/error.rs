//! SDK errors turned into `PortError`s a person can act on: what was refused, where, and what
//! to run or grant. Errors are read through `ProvideErrorMetadata::code()` and the error's
//! source chain, never by matching the service's display text.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use crate::ports::{ErrorKind, PortError};

/// Where a call went: enough to name the IAM action, the resource and the connection in a
/// message.
#[derive(Clone, Debug, Default)]
pub struct CallSite {
    /// `service:Operation`, which is also the IAM action.
    pub action: &'static str,
    /// The resource the call was about (bucket, application/group, function).
    pub resource: String,
    /// The named profile of the connection, when one is configured.
    pub profile: Option<String>,
    pub region: Option<String>,
    /// The connection's account and ARN from STS, when known.
    pub caller: Option<String>,
    /// True for the vendor's release bucket: AccessDenied there usually means allow-listing.
    pub release_bucket: bool,
}

impl CallSite {
    pub fn new(action: &'static str, resource: impl Into<String>) -> Self {
        Self {
            action,
            resource: resource.into(),
            ..Self::default()
        }
    }
}

const THROTTLING: [&str; 8] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "RateExceeded",
];
const DENIED: [&str; 4] = [
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
];
const BAD_CREDENTIALS: [&str; 6] = [
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
];

/// Maps any SDK error of the call at `site` to a `PortError`.
pub fn from_sdk<E, R>(err: SdkError<E, R>, site: &CallSite) -> PortError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let Some(credentials) = credentials_error(&err, site) {
        return credentials;
    }
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            from_code(
                e.code().unwrap_or("Unknown"),
                e.message().unwrap_or(""),
                site,
            )
        }
        SdkError::TimeoutError(_) => timeout(site),
        SdkError::DispatchFailure(d) if d.is_timeout() => timeout(site),
        SdkError::DispatchFailure(_) => {
            let why = chain(&err);
            // A TLS-inspecting proxy presents its own certificate: the network is fine, the
            // trust is not, and saying "check the network" would send the person the wrong way.
            let hint = if why.contains("certificate") {
                "the endpoint's TLS certificate is not trusted: behind a TLS-inspecting proxy, point SSL_CERT_FILE (or SSL_CERT_DIR) at its CA certificate; the other environments are not affected"
            } else {
                "check the network, a proxy, or AWS_ENDPOINT_URL; the other environments are not affected"
            };
            PortError::new(
                ErrorKind::Unavailable,
                format!(
                    "{} could not reach the {} endpoint{}: {why}",
                    site.action,
                    service_of(site.action),
                    region_note(site),
                ),
            )
            .with_hint(hint)
        }
        SdkError::ConstructionFailure(_) if site.region.is_none() => no_region(site),
        _ => PortError::new(
            ErrorKind::Other,
            format!("{} failed: {}", site.action, chain(&err)),
        ),
    }
}

/// Whether the service refused the call for want of permission.
pub fn is_denied<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    err.code().is_some_and(|c| DENIED.contains(&c))
}

/// Maps an error code and message as a service returned them.
pub fn from_code(code: &str, message: &str, site: &CallSite) -> PortError {
    let said = if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    };
    if THROTTLING.contains(&code) {
        return PortError::new(
            ErrorKind::Throttled,
            format!(
                "{} was throttled{} ({code}); shiftdeck backs off",
                site.action,
                region_note(site)
            ),
        )
        .with_hint(
            "other tools share this account's API rate; shiftdeck reads less often until it passes",
        );
    }
    if DENIED.contains(&code) {
        let who = site.caller.as_deref().unwrap_or("the caller");
        if site.release_bucket {
            return PortError::new(
                ErrorKind::AccessDenied,
                format!(
                    "the vendor's release bucket refused {} on {} for {who}{said}",
                    site.action, site.resource
                ),
            )
            .with_hint(
                "this account may not be on the vendor's allow-list, or the role lacks s3:GetObject and s3:ListBucket on the bucket; send the vendor the account id above",
            );
        }
        return PortError::new(
            ErrorKind::AccessDenied,
            format!(
                "{who} may not call {} on {}{said}",
                site.action, site.resource
            ),
        )
        .with_hint(format!(
            "grant {} on {} to this role (docs/iam.md has the policies)",
            site.action, site.resource
        ));
    }
    if BAD_CREDENTIALS.contains(&code) {
        return credentials_refused(code, &said, site);
    }
    if code == "NoSuchBucket" {
        return PortError::new(
            ErrorKind::NotFound,
            format!(
                "the bucket {} does not exist{}",
                site.resource,
                region_note(site)
            ),
        )
        .with_hint("check release.bucket (and release.region) in the configuration");
    }
    if code.ends_with("NotFoundException")
        || code.ends_with("DoesNotExistException")
        || code == "NoSuchKey"
        || code == "NotFound"
        || code == "ResourceNotFound"
    {
        return PortError::new(
            ErrorKind::NotFound,
            format!("{} found no {}{said}", site.action, site.resource),
        )
        .with_hint("check the names in the configuration against the account and region");
    }
    PortError::new(
        ErrorKind::Other,
        format!("{} on {} failed ({code}){said}", site.action, site.resource),
    )
}

fn credentials_refused(code: &str, said: &str, site: &CallSite) -> PortError {
    PortError::new(
        ErrorKind::Credentials,
        format!(
            "the credentials of {} were refused ({code}){said}",
            connection(site)
        ),
    )
    .with_hint(login_hint(site))
}

/// A failure to obtain credentials at all: none found, expired SSO session, failed
/// credential_process or role assumption. The SSO token provider's error type is private to
/// aws-config, so an expired session is recognised by the words its error carries.
fn credentials_error<E, R>(err: &SdkError<E, R>, site: &CallSite) -> Option<PortError>
where
    E: StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            let text = chain(c);
            let message = if text.contains("SSO token has expired") {
                format!("the SSO session of {} has expired", connection(site))
            } else if matches!(c, CredentialsError::CredentialsNotLoaded(_)) {
                format!("no AWS credentials for {}: {text}", connection(site))
            } else {
                format!(
                    "cannot get AWS credentials for {}: {text}",
                    connection(site)
                )
            };
            return Some(
                PortError::new(ErrorKind::Credentials, message).with_hint(login_hint(site)),
            );
        }
        source = e.source();
    }
    None
}

fn login_hint(site: &CallSite) -> String {
    match &site.profile {
        Some(p) => format!(
            "run `aws sso login --profile {p}` (IAM Identity Center), or refresh the credentials of profile {p}"
        ),
        None => "set the environment's `profile` in the configuration or AWS_PROFILE, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
    }
}

fn connection(site: &CallSite) -> String {
    match (&site.profile, &site.region) {
        (Some(p), Some(r)) => format!("profile {p} in {r}"),
        (Some(p), None) => format!("profile {p}"),
        (None, Some(r)) => format!("the default credentials in {r}"),
        (None, None) => "the default credentials".into(),
    }
}

fn timeout(site: &CallSite) -> PortError {
    PortError::new(
        ErrorKind::Timeout,
        format!(
            "{} on {} timed out{}",
            site.action,
            site.resource,
            region_note(site)
        ),
    )
    .with_hint("the endpoint did not answer in time; shiftdeck retries at the next refresh")
}

pub fn no_region(site: &CallSite) -> PortError {
    PortError::new(
        ErrorKind::Invalid,
        format!("no AWS region for {}", connection(site)),
    )
    .with_hint("set `region` for this environment in the configuration, or AWS_REGION, or the profile's region")
}

fn region_note(site: &CallSite) -> String {
    site.region
        .as_deref()
        .map(|r| format!(" in {r}"))
        .unwrap_or_default()
}

fn service_of(action: &str) -> &str {
    action.split(':').next().unwrap_or(action)
}

/// The error and its sources, joined, for a message that says what really went wrong.
fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        source = e.source();
    }
    parts.join(": ")
}

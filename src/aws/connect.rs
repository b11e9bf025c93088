//! One connection per AWS profile and region: the SDK config every client of it is built from,
//! the request budget its calls share, and who it acts as.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::config::SharedHttpClient;
use tokio::sync::OnceCell;
use tokio::time::Instant;

use super::error::{CallSite, from_sdk, is_denied, no_region};
use crate::ports::{AwsIdentity, ErrorKind, PortError, PortResult};

/// Which credentials and region a connection uses; environments that name the same pair share
/// one connection.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectionKey {
    pub profile: Option<String>,
    pub region: Option<String>,
}

/// Time limits of every call on a connection.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub connect: Duration,
    /// One attempt, from sending to the whole answer.
    pub attempt: Duration,
    /// The whole call, retries included.
    pub operation: Duration,
    /// Attempts per call in the standard retry mode.
    pub attempts: u32,
    /// Requests per second the connection may send on average; far below the Lambda control
    /// plane's ~15/s, which it shares with every other tool of the account.
    pub requests_per_second: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            attempt: Duration::from_secs(10),
            operation: Duration::from_secs(25),
            attempts: 3,
            requests_per_second: 5.0,
        }
    }
}

pub struct Connection {
    pub key: ConnectionKey,
    pub sdk: SdkConfig,
    pub limits: Limits,
    /// One budget per service: the Lambda control plane allows about 15 requests/s per
    /// account and region, CodeDeploy and CloudWatch their own; S3 and STS need none.
    budgets: BTreeMap<&'static str, Budget>,
    identity: OnceCell<PortResult<AwsIdentity>>,
    sts: aws_sdk_sts::Client,
}

/// The HTTPS client every SDK client uses: hyper 1 and rustls, as the SDK's default client, but
/// with ring as rustls' crypto provider instead of aws-lc, whose C library took about a minute
/// of a clean release build on two cores. Proxies come from `HTTPS_PROXY`/`NO_PROXY` as the
/// default client takes them.
pub fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    use aws_smithy_http_client::{Builder, ConnectorBuilder};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut conn = ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::Ring));
        conn.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            conn.set_sleep_impl(components.sleep_impl());
        }
        conn.set_proxy_config(Some(ProxyConfig::from_env()));
        conn.build()
    })
}

impl Connection {
    /// Loads the SDK config for `key` (profile, SSO, assume-role, credential_process,
    /// environment credentials, `AWS_ENDPOINT_URL*`), with explicit time limits and the
    /// standard retry mode. Credentials are resolved lazily, at the first call.
    pub async fn open(key: ConnectionKey, limits: Limits) -> Connection {
        // One client, so one connection pool, for the SDK clients and the credentials provider.
        let http = https_client();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(limits.connect)
                    .read_timeout(limits.attempt)
                    .operation_attempt_timeout(limits.attempt)
                    .operation_timeout(limits.operation)
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(limits.attempts))
            .http_client(http.clone());
        if let Some(profile) = &key.profile {
            // A named profile is that environment's account: credentials come from it alone,
            // never from AWS_ACCESS_KEY_ID and friends, which the default chain would try first
            // and which belong to whatever else the shell was set up for.
            loader = loader.profile_name(profile).credentials_provider(
                aws_config::profile::ProfileFileCredentialsProvider::builder()
                    // Built apart from the loader, so it is given the HTTP client for its own
                    // STS and SSO calls (assume-role, IAM Identity Center).
                    .configure(
                        &aws_config::provider_config::ProviderConfig::default()
                            .with_http_client(http),
                    )
                    .profile_name(profile)
                    .build(),
            );
        }
        if let Some(region) = &key.region {
            loader = loader.region(Region::new(region.clone()));
        }
        Self::from_sdk(key, loader.load().await, limits)
    }

    /// A connection over an SDK config built elsewhere (tests with recorded responses).
    pub fn from_sdk(key: ConnectionKey, sdk: SdkConfig, limits: Limits) -> Connection {
        Connection {
            sts: aws_sdk_sts::Client::new(&sdk),
            // Keyed by action where an action has a quota of its own, else by service.
            budgets: BTreeMap::from([
                ("lambda", Budget::new(limits.requests_per_second)),
                // GetFunction's own quota is 100/s against 15/s for the rest of Lambda.
                (
                    "lambda:GetFunction",
                    Budget::new(4.0 * limits.requests_per_second),
                ),
                ("codedeploy", Budget::new(2.0 * limits.requests_per_second)),
                ("cloudwatch", Budget::new(2.0 * limits.requests_per_second)),
            ]),
            key,
            sdk,
            limits,
            identity: OnceCell::new(),
        }
    }

    /// The site of a call on this connection, for its error messages.
    pub fn site(&self, action: &'static str, resource: impl Into<String>) -> CallSite {
        CallSite {
            profile: self.key.profile.clone(),
            region: self.sdk.region().map(|r| r.to_string()),
            caller: self
                .identity
                .get()
                .and_then(|i| i.as_ref().ok())
                .map(caller),
            ..CallSite::new(action, resource)
        }
    }

    /// Sends one request within the budget and the operation deadline, counts it in `calls`,
    /// and maps its error. The SDK's own time limits normally end a call first; the deadline
    /// here also bounds the wait for credentials (an SSO refresh, a credential_process).
    pub async fn call<T, E, R>(
        &self,
        calls: &Calls,
        site: CallSite,
        request: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> PortResult<T>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        if self.sdk.region().is_none() {
            return Err(no_region(&site));
        }
        let budget = self
            .budgets
            .get(site.action)
            .or_else(|| self.budgets.get(service_of(site.action)));
        if let Some(b) = budget {
            b.wait().await;
        }
        calls.count(site.action);
        let deadline = self.limits.operation + self.limits.connect;
        let result = match tokio::time::timeout(deadline, request).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                let mut site = site;
                // S3's refusal names nobody, and the vendor can only allow-list an account it is
                // told: the release bucket's refusal names the caller even before any other read
                // has asked STS. Boxed: `identity` calls `call` in turn.
                if site.release_bucket && site.caller.is_none() && is_denied(&e) {
                    site.caller = Box::pin(self.identity()).await.ok().as_ref().map(caller);
                }
                Err(from_sdk(e, &site))
            }
            Err(_) => Err(PortError::new(
                ErrorKind::Timeout,
                format!(
                    "{} on {} did not answer within {}s",
                    site.action,
                    site.resource,
                    deadline.as_secs()
                ),
            )),
        };
        if let Some(b) = budget {
            b.record(matches!(&result, Err(e) if e.kind == ErrorKind::Throttled));
        }
        result
    }

    /// STS GetCallerIdentity, once per connection.
    pub async fn identity(&self) -> PortResult<AwsIdentity> {
        self.identity
            .get_or_init(|| async {
                let calls = Calls::default();
                let site = self.site("sts:GetCallerIdentity", "the caller");
                let out = self
                    .call(&calls, site, self.sts.get_caller_identity().send())
                    .await?;
                Ok(AwsIdentity {
                    account: out.account().unwrap_or_default().to_string(),
                    arn: out.arn().unwrap_or_default().to_string(),
                })
            })
            .await
            .clone()
    }

    /// The current spacing between requests to `service` (longer after throttling); zero for
    /// a service without a budget.
    pub fn spacing(&self, service: &str) -> Duration {
        self.budgets
            .get(service)
            .map(Budget::spacing)
            .unwrap_or_default()
    }
}

/// How a message names the caller.
fn caller(identity: &AwsIdentity) -> String {
    format!("{} (account {})", identity.arn, identity.account)
}

/// `lambda` of `lambda:GetAlias`.
fn service_of(action: &str) -> &str {
    action.split(':').next().unwrap_or(action)
}

/// Spaces requests evenly at a configured rate; each throttled answer doubles the spacing (up
/// to 8 s), each answer that was not throttled brings it halfway back.
struct Budget {
    base: Duration,
    /// Requests that may go at once after a quiet spell: one second's worth, so no second ever
    /// sees more than twice the rate (10/s at the default, below Lambda's ~15/s).
    burst: u32,
    state: Mutex<BudgetState>,
}

struct BudgetState {
    spacing: Duration,
    next: Instant,
}

const MAX_SPACING: Duration = Duration::from_secs(8);

impl Budget {
    fn new(per_second: f64) -> Self {
        let base = Duration::from_secs_f64(1.0 / per_second.max(0.1));
        Self {
            base,
            burst: (per_second.floor() as u32).max(1),
            state: Mutex::new(BudgetState {
                spacing: base,
                next: Instant::now(),
            }),
        }
    }

    async fn wait(&self) {
        let slot = {
            // Generic cell rate: `next` is when the request would go at an even pace; up to
            // `burst` requests may run that far ahead of it.
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let due = s.next.max(now);
            let ahead = s.spacing * (self.burst - 1);
            let slot = due.checked_sub(ahead).unwrap_or(now).max(now);
            s.next = due + s.spacing;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    fn record(&self, throttled: bool) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.spacing = if throttled {
            (s.spacing * 2).min(MAX_SPACING)
        } else {
            ((s.spacing + self.base) / 2).max(self.base)
        };
    }

    fn spacing(&self) -> Duration {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).spacing
    }
}

/// The API calls of one read, by IAM action.
#[derive(Default)]
pub struct Calls(Mutex<BTreeMap<String, u32>>);

impl Calls {
    pub fn count(&self, action: &str) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry(action.to_string()).or_default() += 1;
    }

    pub fn take(&self) -> BTreeMap<String, u32> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The connections of a session, one per profile and region.
#[derive(Default)]
pub struct Connections {
    open: tokio::sync::Mutex<BTreeMap<ConnectionKey, Arc<Connection>>>,
    limits: Limits,
}

impl Connections {
    pub fn new(limits: Limits) -> Self {
        Self {
            open: Default::default(),
            limits,
        }
    }

    /// The connection for `key`, opened on first use.
    pub async fn get(&self, key: &ConnectionKey) -> Arc<Connection> {
        let mut open = self.open.lock().await;
        if let Some(c) = open.get(key) {
            return c.clone();
        }
        let c = Arc::new(Connection::open(key.clone(), self.limits).await);
        open.insert(key.clone(), c.clone());
        c
    }
}

//! Adapters over the AWS SDK crates: the release repository in S3, CodeDeploy and Lambda for
//! rollouts, CloudWatch for alarms and metrics, STS for identity. Each environment reads
//! through the connection of its own profile and region.

pub mod connect;
pub mod error;
pub mod alarms;
pub mod metrics;
pub mod releases;
pub mod appspec;
pub mod rollouts;

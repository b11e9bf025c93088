//! Adapters over the AWS SDK crates: the release repository in S3, CodeDeploy and Lambda for
//! rollouts, CloudWatch for alarms and metrics, STS for identity. Each environment reads
//! through the connection of its own profile and region.

pub mod alarms;
pub mod appspec;
pub mod connect;
pub mod error;
pub mod metrics;
pub mod releases;
pub mod rollouts;
pub mod world;

/// Every IAM action a refresh may call, the read-only policy of docs/iam.md exactly.
pub const READ_ACTIONS: [&str; 16] = [
    "s3:ListBucket",
    "s3:GetObject",
    "codedeploy:ListDeploymentGroups",
    "codedeploy:BatchGetDeploymentGroups",
    "codedeploy:GetDeploymentGroup",
    "codedeploy:ListDeployments",
    "codedeploy:BatchGetDeployments",
    "codedeploy:ListDeploymentTargets",
    "codedeploy:BatchGetDeploymentTargets",
    "codedeploy:GetDeploymentConfig",
    "lambda:GetAlias",
    "lambda:GetFunction",
    "lambda:ListTags",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:GetMetricData",
    "sts:GetCallerIdentity",
];

/// The calls the operator's actions add: rollback (stop or redeploy) and answering a gate, with
/// what AWS lists as `CreateDeployment`'s dependent actions.
pub const OPERATOR_ACTIONS: [&str; 7] = [
    "codedeploy:StopDeployment",
    "codedeploy:CreateDeployment",
    "codedeploy:PutLifecycleEventHookExecutionStatus",
    "codedeploy:GetDeploymentConfig",
    "codedeploy:GetApplicationRevision",
    "codedeploy:RegisterApplicationRevision",
    // CreateDeployment's overrideAlarmConfiguration (a rollback while an alarm still fires)
    // is authorised by this action.
    "codedeploy:UpdateDeploymentGroup",
];

"""Seeds local AWS emulators with an account shiftdeck can read: the vendor's release bucket
with the demo's signed releases, and per environment Lambda functions with versions built from
those releases, a `Prod` alias, a CodeDeploy application with deployment groups and a deployment
each (moto), and the groups' CloudWatch alarms (ministack).

Used by the end-to-end test against the emulators and by the status benchmark. Prints the
function names it created, one per line.

One alarm fires: prod's api p99 is in ALARM (the others are OK), so a reader shows both states.

usage: seed_account.py MOTO_URL MINISTACK_URL RELEASES_DIR ENV[,ENV...] GROUPS_PER_ENV
(SEED_IDLE_ENVS=ENV[,ENV...] leaves those environments without a deployment;
SEED_PROFILES=1 seeds each environment with the AWS profile of its name, so into that
profile's account and region, and the release bucket with the test credentials; otherwise
everything goes into one account, that of the test credentials, in us-east-1)
"""

import hashlib
import io
import json
import os
import sys
import zipfile

import boto3

MOTO, MINISTACK, RELEASES, ENVS, GROUPS = sys.argv[1:6]
ENVS = ENVS.split(",")
GROUPS = int(GROUPS)
# Environments seeded without a deployment: idle, their alias wholly on v1.2.0.
IDLE = set(filter(None, os.environ.get("SEED_IDLE_ENVS", "").split(",")))
REGION = "us-east-1"
BUCKET = "ltbase-releases"
KW = dict(region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
PROFILES = os.environ.get("SEED_PROFILES") == "1"
# The alarm seeded in ALARM, and why: the one alarm firing in the account.
FIRING = {"prod-api-p99": "seeded: p99 above 800 ms"}


def client(service, url, env=None):
    if PROFILES and env is not None:
        return boto3.Session(profile_name=env).client(service, endpoint_url=url)
    return boto3.client(service, endpoint_url=url, **KW)


def lambda_role(env):
    """The role the functions run as, in the environment's account; made once per account."""
    iam = client("iam", MOTO, env)
    try:
        return iam.get_role(RoleName="ltbase-lambda")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        pass
    return iam.create_role(
        RoleName="ltbase-lambda",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]


def artifact_bytes(version, artifact):
    # The same bytes as the simulator's vendor build (src/sim/releases.rs: artifact_bytes).
    function = artifact[: -len(".zip")] if artifact.endswith(".zip") else artifact
    return (
        f"// {artifact} of ltbase {version}, built by the demo vendor\n"
        f'exports.handler = async () => ({{ statusCode: 200, body: "{function} {version}" }});\n'
    ).encode()


# The one artifact the vendor replaced after signing its manifest, as in the simulator's bucket
# (src/sim/releases.rs: REPLACED_AFTER_RELEASE): its stored SHA-256 is not the signed one.
REPLACED_AFTER_RELEASE = ("v1.2.2", "worker.zip")


def stored_artifact(version, artifact):
    body = artifact_bytes(version, artifact)
    if (version, artifact) == REPLACED_AFTER_RELEASE:
        body += b"// re-uploaded after release\n"
    return body


def seed_releases():
    s3 = client("s3", MOTO)
    s3.create_bucket(Bucket=BUCKET)
    for version in sorted(os.listdir(RELEASES)):
        folder = os.path.join(RELEASES, version)
        with open(os.path.join(folder, "manifest.json"), "rb") as f:
            manifest = f.read()
        s3.put_object(Bucket=BUCKET, Key=f"{version}/manifest.json", Body=manifest)
        sig = os.path.join(folder, "manifest.json.minisig")
        if os.path.exists(sig):
            with open(sig, "rb") as f:
                s3.put_object(Bucket=BUCKET, Key=f"{version}/manifest.json.minisig", Body=f.read())
        for a in json.loads(manifest)["artifacts"]:
            s3.put_object(
                Bucket=BUCKET,
                Key=a["key"],
                Body=stored_artifact(version, a["name"]),
                ChecksumAlgorithm="SHA256",
            )


def seed_environment(env):
    role_arn = lambda_role(env)
    lam = client("lambda", MOTO, env)
    cd = client("codedeploy", MOTO, env)
    cw = client("cloudwatch", MINISTACK, env)
    cd.create_application(applicationName=f"ltbase-{env}", computePlatform="Lambda")
    for g in range(GROUPS):
        group = "api" if g == 0 else f"svc{g:03d}"
        function = f"ltbase-{env}-{group}"
        versions = {}
        for release in ["v1.2.0", "v1.3.0"]:
            code = artifact_bytes(release, "api.zip")
            if not versions:
                lam.create_function(
                    FunctionName=function,
                    Runtime="nodejs20.x",
                    Role=role_arn,
                    Handler="index.handler",
                    Code={"ZipFile": code},
                )
            else:
                lam.update_function_code(FunctionName=function, ZipFile=code)
            out = lam.publish_version(FunctionName=function, Description=release)
            versions[release] = out["Version"]
        old, new = versions["v1.2.0"], versions["v1.3.0"]
        # dev is in the middle of a canary: 10% on the new version.
        routing = {"AdditionalVersionWeights": {new: 0.1}} if env == "dev" else {}
        lam.create_alias(
            FunctionName=function, Name="Prod", FunctionVersion=old, RoutingConfig=routing
        )
        alarms = [f"{env}-{group}-5xx-rate", f"{env}-{group}-p99"]
        cd.create_deployment_group(
            applicationName=f"ltbase-{env}",
            deploymentGroupName=group,
            serviceRoleArn=role_arn,
            deploymentConfigName="CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
            deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            alarmConfiguration={"enabled": True, "alarms": [{"name": a} for a in alarms]},
            autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM"]},
        )
        appspec = {
            "version": 0.0,
            "Resources": [
                {
                    group: {
                        "Type": "AWS::Lambda::Function",
                        "Properties": {
                            "Name": function,
                            "Alias": "Prod",
                            "CurrentVersion": old,
                            "TargetVersion": new,
                        },
                    }
                }
            ],
        }
        if env not in IDLE:
            cd.create_deployment(
                applicationName=f"ltbase-{env}",
                deploymentGroupName=group,
                revision={
                    "revisionType": "AppSpecContent",
                    "appSpecContent": {"content": json.dumps(appspec)},
                },
            )
        for name, metric, threshold in [
            (alarms[0], "Errors", 1.0),
            (alarms[1], "Duration", 800.0),
        ]:
            cw.put_metric_alarm(
                AlarmName=name,
                Namespace="AWS/Lambda",
                MetricName=metric,
                Dimensions=[{"Name": "FunctionName", "Value": function}],
                Statistic="Sum" if metric == "Errors" else "Average",
                Period=60,
                EvaluationPeriods=1,
                Threshold=threshold,
                ComparisonOperator="GreaterThanThreshold",
            )
            if name in FIRING:
                cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason=FIRING[name])
            else:
                cw.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="seeded: quiet")
        print(function)


def main():
    seed_releases()
    for env in ENVS:
        seed_environment(env)


if __name__ == "__main__":
    main()

// shiftdeck manual gate: a CodeDeploy lifecycle hook (BeforeAllowTraffic or AfterAllowTraffic) for
// Lambda deployments that does NOT report a status. It records the hook execution id as tags on its
// own function and returns; CodeDeploy then waits (up to one hour) until someone answers with
// PutLifecycleEventHookExecutionStatus, which shiftdeck's approve key (`a`) does.
//
// Tags written, for deployment d-XXXXXXXXX:
//   shiftdeck:gate:d-XXXXXXXXX     the execution id (its first 256 characters)
//   shiftdeck:gate:d-XXXXXXXXX:1   the next 256 characters, if any
//   shiftdeck:gate:d-XXXXXXXXX:2   ... and so on
// A Lambda tag value holds at most 256 characters and an execution id can be longer, so it is split;
// the reader joins the values in order until a key is missing.
//
// On each invocation the hook also removes the tags of deployments that are no longer in progress.
// If the gate cannot be recorded, nobody could open it, so the hook fails the lifecycle event at once
// instead of leaving the deployment to wait an hour.
//
// Runtime: Node.js 20 (AWS SDK for JavaScript v3 is part of the runtime). Handler: index.handler.
// Permissions: lambda:ListTags, lambda:TagResource, lambda:UntagResource on this function;
// codedeploy:BatchGetDeployments and codedeploy:PutLifecycleEventHookExecutionStatus on the
// deployment groups that use it.

import {
  LambdaClient,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lambda";
import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  PutLifecycleEventHookExecutionStatusCommand,
} from "@aws-sdk/client-codedeploy";

const PREFIX = "shiftdeck:gate:";
const MAX_VALUE = 256; // longest tag value Lambda accepts
const IN_PROGRESS = new Set(["Created", "Queued", "InProgress", "Baking", "Ready"]);

const lambda = new LambdaClient({});
const codedeploy = new CodeDeployClient({});

export const handler = async (event, context) => {
  const deploymentId = event.DeploymentId;
  const executionId = event.LifecycleEventHookExecutionId;
  const functionArn = unqualified(context.invokedFunctionArn);

  try {
    const wanted = gateTags(deploymentId, executionId);
    const { Tags: current = {} } = await lambda.send(new ListTagsCommand({ Resource: functionArn }));
    const stale = await staleKeys(current, deploymentId, wanted);
    if (stale.length > 0) {
      await lambda.send(new UntagResourceCommand({ Resource: functionArn, TagKeys: stale }));
    }
    await lambda.send(new TagResourceCommand({ Resource: functionArn, Tags: wanted }));
  } catch (err) {
    console.error(`cannot record the manual gate of ${deploymentId}; failing the lifecycle event`, err);
    await codedeploy.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId,
        lifecycleEventHookExecutionId: executionId,
        status: "Failed",
      }),
    );
    return { gate: "failed", deploymentId };
  }

  console.log(`${deploymentId} waits at the manual gate; open it with shiftdeck (key a)`);
  return { gate: "waiting", deploymentId };
};

// The tags that record this gate: the execution id in pieces of at most MAX_VALUE characters.
function gateTags(deploymentId, executionId) {
  const tags = {};
  for (let i = 0; i * MAX_VALUE < executionId.length; i++) {
    const key = i === 0 ? `${PREFIX}${deploymentId}` : `${PREFIX}${deploymentId}:${i}`;
    tags[key] = executionId.slice(i * MAX_VALUE, (i + 1) * MAX_VALUE);
  }
  return tags;
}

// Gate tags to remove: every piece of this deployment's gate that the new gate does not overwrite,
// and all tags of other deployments that are no longer in progress.
async function staleKeys(current, deploymentId, wanted) {
  const byDeployment = new Map();
  for (const key of Object.keys(current)) {
    if (!key.startsWith(PREFIX)) continue;
    const id = key.slice(PREFIX.length).split(":")[0];
    if (!byDeployment.has(id)) byDeployment.set(id, []);
    byDeployment.get(id).push(key);
  }

  const stale = (byDeployment.get(deploymentId) ?? []).filter((key) => !(key in wanted));
  byDeployment.delete(deploymentId);

  const others = [...byDeployment.keys()];
  try {
    const finished = await finishedDeployments(others);
    for (const id of finished) stale.push(...byDeployment.get(id));
  } catch (err) {
    // Old tags are harmless (shiftdeck only looks at deployments in progress); try again next time.
    console.warn("cannot look up old gates; leaving their tags for the next invocation", err);
  }
  return stale;
}

// The ids among `ids` whose deployment has ended (or that CodeDeploy no longer reports).
async function finishedDeployments(ids) {
  const active = new Set();
  for (let i = 0; i < ids.length; i += 25) {
    const batch = ids.slice(i, i + 25);
    const { deploymentsInfo = [] } = await codedeploy.send(
      new BatchGetDeploymentsCommand({ deploymentIds: batch }),
    );
    for (const d of deploymentsInfo) {
      if (IN_PROGRESS.has(d.status)) active.add(d.deploymentId);
    }
  }
  return ids.filter((id) => !active.has(id));
}

// arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] -> without the qualifier; tags belong to the
// function, not to a version or alias.
function unqualified(arn) {
  return arn.split(":").slice(0, 7).join(":");
}

"""moto's server, with CodeDeploy's alarm configuration returned as AWS returns it.

moto stores the `alarmConfiguration` a deployment group is created with, but answers
GetDeploymentGroup with `"alarmConfiguration": {}` (a TODO in moto/codedeploy/responses.py), so
a client that reads a group's alarms from its configuration, as shiftdeck does, sees none.
This launcher returns the stored configuration (`enabled`, `ignorePollAlarmFailure` when it
was given, `alarms: [{name}]`) and changes nothing else by default; the rest of the group's
description is moto's own.

Two additions are opt-in, for the status benchmark; the tests run without them, so that
tests/aws_rollouts_moto.rs keeps testing shiftdeck's way around moto's own behaviour:

- `--batch-deployment-groups` serves CodeDeploy's BatchGetDeploymentGroups, which AWS has and
  moto answers with 500: the groups found in `deploymentGroupsInfo`, the names not found in
  `errorMessage`, an unknown application as ApplicationDoesNotExistException.
- `--account-from-access-key` takes a 12-digit access key id as the caller's account, as
  ministack does. moto itself knows an account only from MOTO_ACCOUNT_ID (one for the whole
  server), an `x-moto-account-id` header, or access keys it issued; this lets one server hold
  several accounts for clients configured with plain profiles.

usage: python moto_server.py [--batch-deployment-groups] [--account-from-access-key]
                             [moto_server's arguments: -H HOST -p PORT -c CERT -k KEY ...]
"""

import os
import re
import sys

from moto import server
from moto.codedeploy import responses as codedeploy
from moto.core.responses import ActionResult, BaseResponse

# The function both GetDeploymentGroup and (below) BatchGetDeploymentGroups describe a group
# with. If a moto release moves it, failing here beats serving groups without their alarms.
_describe_group = codedeploy._deployment_group_info


def _alarm_configuration(stored):
    if not stored:
        return {}
    out = {
        "enabled": bool(stored.get("enabled", False)),
        "alarms": [{"name": a["name"]} for a in stored.get("alarms") or [] if "name" in a],
    }
    if "ignorePollAlarmFailure" in stored:
        out["ignorePollAlarmFailure"] = bool(stored["ignorePollAlarmFailure"])
    return out


def _deployment_group_info(group):
    info = _describe_group(group)
    info["alarmConfiguration"] = _alarm_configuration(group.alarm_configuration)
    return info


def _batch_get_deployment_groups(self):
    application_name = self._get_param("applicationName")
    names = self._get_param("deploymentGroupNames") or []
    backend = self.codedeploy_backend
    # Raises ApplicationDoesNotExistException, as AWS does for an unknown application.
    backend.get_application(application_name)
    groups = backend.deployment_groups.get(application_name, {})
    found = [groups[n] for n in names if n in groups]
    missing = [n for n in names if n not in groups]
    result = {"deploymentGroupsInfo": [codedeploy._deployment_group_info(g) for g in found]}
    if missing:
        result["errorMessage"] = (
            f"The deployment groups {', '.join(missing)} do not exist in the application "
            f"{application_name}."
        )
    return ActionResult(result)


_TWELVE_DIGIT_KEY = re.compile(r"Credential=(\d{12})/")


def _account_from_access_key(original):
    def get_current_account(self):
        # An explicit MOTO_ACCOUNT_ID or x-moto-account-id still wins, as in moto.
        match = _TWELVE_DIGIT_KEY.search(self.headers.get("Authorization", ""))
        explicit = "MOTO_ACCOUNT_ID" in os.environ or "x-moto-account-id" in self.headers
        if match and not explicit:
            return match.group(1)
        return original(self)

    return get_current_account


def main(argv):
    codedeploy._deployment_group_info = _deployment_group_info
    rest = []
    for arg in argv:
        if arg == "--batch-deployment-groups":
            codedeploy.CodeDeployResponse.batch_get_deployment_groups = (
                _batch_get_deployment_groups
            )
        elif arg == "--account-from-access-key":
            BaseResponse.get_current_account = _account_from_access_key(
                BaseResponse.get_current_account
            )
        else:
            rest.append(arg)
    # moto's main reads sys.argv when given no arguments, and would see the flags above.
    sys.argv = [sys.argv[0], *rest]
    server.main(rest)


if __name__ == "__main__":
    main(sys.argv[1:])

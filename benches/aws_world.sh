# Sourced by the AWS benchmarks: starts moto and ministack on loopback, seeds three environments
# (dev, staging, prod) of $groups deployment groups each in accounts of their own, and writes a
# fork and a shiftdeck.toml for them. Leaves behind: $work (a temporary folder, also $HOME),
# $work/shiftdeck.toml, $work/moto.log and $work/ministack.log (a line per request), $venv, and
# an EXIT trap that stops the emulators and removes $work (unless KEEP is set).
venv=${SHIFTDECK_EMULATORS:-$PWD/target/emulators}
[ -x "$venv/bin/moto_server" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q 'moto[server]>=5.2,<5.3' ministack cbor2; }

work=$(mktemp -d)
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
moto_port=$(free_port); mini_port=$(free_port)
# moto through the tests' launcher, which returns the groups' alarm configuration, with two
# additions for this comparison: BatchGetDeploymentGroups, which AWS serves and moto does not
# (so shiftdeck's timing measures AWS's call, not its retries and fallback around an emulator
# gap), and an account per 12-digit access key id, as ministack does, so that each environment
# is its own account as on AWS.
"$venv/bin/python" tests/emulators/moto_server.py --batch-deployment-groups --account-from-access-key \
  -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
moto_pid=$!
GATEWAY_PORT=$mini_port BIND_HOST=127.0.0.1 IOT_MTLS_ENABLED=0 SFTP_ENABLED=0 "$venv/bin/ministack" >"$work/ministack.log" 2>&1 &
mini_pid=$!
trap 'kill $moto_pid $mini_pid 2>/dev/null; eval "${on_exit:-}"; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$moto_port/moto-api/" >/dev/null 2>&1 && curl -sf "http://127.0.0.1:$mini_port/_ministack/health" >/dev/null 2>&1 && break
  sleep 0.2
done
moto=http://127.0.0.1:$moto_port mini=http://127.0.0.1:$mini_port

# One account per environment, as a release is usually run: a profile each, whose 12-digit
# access key id is its account in both emulators. The vendor's release bucket is read with the
# default credentials, in moto's default account.
export HOME=$work
mkdir -p "$work/.aws"
{
  printf '[default]\naws_access_key_id = test\naws_secret_access_key = test\n'
  printf '\n[%s]\naws_access_key_id = %s\naws_secret_access_key = bench\n' dev 111111111111 staging 222222222222 prod 333333333333
} >"$work/.aws/credentials"
{
  printf '[default]\nregion = us-east-1\n'
  for env in dev staging prod; do printf '\n[profile %s]\nregion = us-east-1\n' "$env"; done
} >"$work/.aws/config"
export AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL_S3=$moto AWS_ENDPOINT_URL_LAMBDA=$moto AWS_ENDPOINT_URL_CODEDEPLOY=$moto AWS_ENDPOINT_URL_STS=$moto AWS_ENDPOINT_URL_CLOUDWATCH=$mini

SEED_PROFILES=1 "$venv/bin/python" tests/emulated/seed_account.py "$moto" "$mini" assets/demo/releases dev,staging,prod "$groups" >"$work/functions"

# The fork: a clone of a bare origin with one pin per environment.
git init -q --bare "$work/origin.git"
git init -q -b main "$work/fork"
mkdir -p "$work/fork/lib"
printf 'export const devVersion = "v1.3.0";\nexport const stagingVersion = "v1.2.0";\nexport const prodVersion = "v1.2.0";\n' >"$work/fork/lib/config.ts"
git -C "$work/fork" add -A
git -C "$work/fork" -c user.name=bench -c user.email=bench@example.invalid commit -qm pins
git -C "$work/fork" remote add origin "$work/origin.git"
git -C "$work/fork" push -q origin main
key=$(sed -n 2p assets/demo/demo-key.pub)
{
  printf '[release]\nbucket = "ltbase-releases"\nregion = "us-east-1"\npublic_key = "%s"\n\n[fork]\npath = "fork"\n' "$key"
  for env in dev staging prod; do
    printf '\n[[env]]\nname = "%s"\nprofile = "%s"\nregion = "us-east-1"\napplication = "ltbase-%s"\npin = { file = "lib/config.ts", pattern = '"'"'%sVersion = "{version}"'"'"' }\n' "$env" "$env" "$env" "$env"
  done
  # RPS=N: another request budget than the default 5/s per profile and region, here per
  # environment.
  [ -z "${RPS:-}" ] || printf '\n[aws]\nrequests_per_second = %s\n' "$RPS"
} >"$work/shiftdeck.toml"


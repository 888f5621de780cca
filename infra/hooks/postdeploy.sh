#!/usr/bin/env bash
# azd postdeploy hook: checks what azd deploy left behind and says how to call it.
# - wakes the app and waits until /api/ready answers 200 (a scale from zero pulls the image, downloads the model and
#   creates the ONNX sessions; /api/ready says why while it is not ready, for example CUDA that cannot load);
# - checks the app is still kind functionapp and that the platform derived its queue scale rule;
# - checks /api/models reports the execution provider this environment was provisioned for (cuda on GPU);
# - prints how to get the function key that POST /api/classify needs.
# Needs the Azure CLI (containerapp extension 2.79 or newer for function keys) and curl. Exits non-zero on a failed check.
set -euo pipefail
: "${AZURE_RESOURCE_GROUP:?run through azd (azd deploy), which sets the environment}"
app="${SERVICE_CLASSIFIER_NAME:?}"
uri="${SERVICE_CLASSIFIER_URI:?}"
expected_provider="${CLASSIFIER_EXECUTION_PROVIDER:-cpu}"
ready_timeout_seconds="${CLASSIFIER_READY_TIMEOUT_SECONDS:-900}"

kind="$(az containerapp show --resource-group "$AZURE_RESOURCE_GROUP" --name "$app" --query kind --output tsv)"
if [ "$kind" != "functionapp" ]; then
  echo "error: container app '$app' has kind '$kind', expected 'functionapp': the Functions host will not manage triggers or scaling. Re-run 'azd provision'." >&2
  exit 1
fi

echo "Waiting for $uri/api/ready (up to ${ready_timeout_seconds} s: image pull, model download, session creation)..."
deadline=$((SECONDS + ready_timeout_seconds))
body="$(mktemp)"
while :; do
  status="$(curl --silent --output "$body" --write-out '%{http_code}' --max-time 30 "$uri/api/ready" || echo 000)"
  [ "$status" = "200" ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "error: /api/ready still answers $status after ${ready_timeout_seconds} s: $(cat "$body")" >&2
    exit 1
  fi
  sleep 10
done
echo "Ready after $((SECONDS)) s."

rules="$(az containerapp show --resource-group "$AZURE_RESOURCE_GROUP" --name "$app" --query "properties.template.scale.rules[].custom.type" --output tsv)"
if ! grep -q "azure-queue" <<< "$rules"; then
  echo "error: no azure-queue scale rule on '$app' (found: ${rules:-none}); queued jobs will not wake the app. The platform derives it from the queue trigger when the host starts: check the app's identity and its Storage Queue Data roles on the host account." >&2
  exit 1
fi

provider="$(curl --silent --max-time 30 "$uri/api/models" | sed -n 's/.*"executionProvider":"\([a-z]*\)".*/\1/p')"
if [ "$provider" != "$expected_provider" ]; then
  echo "error: /api/models reports execution provider '$provider', expected '$expected_provider'." >&2
  exit 1
fi
device="$(curl --silent --max-time 30 "$uri/api/models" | sed -n 's/.*"executionDevice":"\([^"]*\)".*/\1/p')"
echo "Serving on $provider${device:+ ($device)}; queue scale rule present; kind functionapp."
echo
echo "POST $uri/api/classify needs a function key. Get it with:"
echo "  az containerapp function keys list --resource-group $AZURE_RESOURCE_GROUP --name $app --key-type functionKey --function-name ClassifyHttp"
echo "(it needs a running replica; this hook just woke one). Send it as the x-functions-key header or ?code=."

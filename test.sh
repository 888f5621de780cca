#!/usr/bin/env bash
# Runs every test: unit and integration (real ONNX models), all projects of Serverless.sln.
# Extra arguments go to `dotnet test` (CI passes -c Release --no-build).
set -euo pipefail
cd "$(dirname "$0")"
dotnet test Serverless.sln "$@"

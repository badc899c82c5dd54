#!/usr/bin/env bash
#
# GPU discovery script for Spark: set it as spark.executor.resource.gpu.discoveryScript (YARN, Kubernetes) or
# spark.worker.resource.gpu.discoveryScript (standalone Workers). Prints the resource JSON Spark expects, one
# address per GPU that nvidia-smi lists:
#
#   {"name": "gpu", "addresses": ["0", "1"]}
#
# and an empty list when nvidia-smi is not on the PATH, fails (no driver) or lists no GPU:
#
#   {"name": "gpu", "addresses": []}
#
# Uses only bash built-ins besides nvidia-smi.

addresses=""
if command -v nvidia-smi >/dev/null 2>&1; then
  if output=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null); then
    while IFS= read -r line; do
      line="${line//[[:space:]]/}"
      if [[ "$line" =~ ^[0-9]+$ ]]; then
        addresses="${addresses:+$addresses, }\"$line\""
      fi
    done <<< "$output"
  fi
fi
printf '{"name": "gpu", "addresses": [%s]}\n' "$addresses"

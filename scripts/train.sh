#!/usr/bin/env bash
# Trains the Rasa model only when its inputs changed: the model is named by a hash of
# bot/config.yml, bot/domain/ and nlu_data/, and reused when that file exists.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false  # never phone home, in any run
hash="$(find bot/config.yml bot/domain nlu_data -type f -name '*.yml' | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)"
model="models/bot-$hash.tar.gz"
if [ -f "$model" ]; then
  echo "$model"
  exit 0
fi
mkdir -p models var/log
log="var/log/train-$hash.log"
printf '\033[1m==> training the Rasa model (inputs changed; about 1-2 min), log: %s\033[0m\n' "$log" >&2
if ! .venv-rasa/bin/rasa train --config bot/config.yml --domain bot/domain --data nlu_data \
      --out models --fixed-model-name "bot-$hash" >"$log" 2>&1; then
  tail -n 25 "$log" >&2
  printf '\033[31merror:\033[0m training failed; the full log is %s\n' "$log" >&2
  exit 1
fi
# keep the three newest models
ls -t models/bot-*.tar.gz 2>/dev/null | tail -n +4 | xargs -r rm -f
echo "$model"

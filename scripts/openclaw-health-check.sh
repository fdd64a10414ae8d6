#!/usr/bin/env bash
# The article's health check (SEED.md), kept as a script: ClawKeeper must keep it working unchanged.
# GATEWAY_URL and STATUS_DIR default to the article's values; tests point them elsewhere.
GATEWAY_URL="${GATEWAY_URL:-http://localhost:3019/health}"
STATUS_DIR="${STATUS_DIR:-$HOME/.openclaw/skills/status}"

if curl -sf --max-time 5 "$GATEWAY_URL" > /dev/null 2>&1; then
  GATEWAY="OK"
else
  GATEWAY="FAIL"
fi
FRESH=$(find "$STATUS_DIR" -name '*.txt' -mmin -60 2>/dev/null | wc -l)
echo "Gateway: $GATEWAY"
echo "Fresh skill status files: $FRESH"
if [ "$GATEWAY" = "FAIL" ] && [ "$FRESH" -gt 0 ]; then
  echo "Gateway down but skills running - Graceful degradation mode"
else
  echo "All systems operational"
fi

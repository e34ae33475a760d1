#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian/Ubuntu machine (idempotent; CI entry point).
#
#   ./scripts/test.sh
#
# Installs missing system packages (apt, with sudo when not root), then: rustfmt check, core tests,
# generated TypeScript types check, UI typecheck/unit tests/build, UI end-to-end (Chromium against
# `recoup serve`), the Tauri app build and IPC test, and the desktop smoke test through the real
# window (tauri-driver + WebKitWebDriver under Xvfb). Prints a header and the wall time of each step,
# and a summary at the end. Exits non-zero at the first failing step.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
TEST_APT_PACKAGES=(
  "${TAURI_APT_PACKAGES[@]}"
  xvfb xauth webkit2gtk-driver chromium poppler-utils
  fonts-noto-cjk fonts-lxgw-wenkai fonts-wqy-microhei
)

TOTAL_START=$(date +%s)
SUMMARY=()
CURRENT=""

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

on_exit() {
  local rc=$?
  local total=$(( $(date +%s) - TOTAL_START ))
  echo
  echo "================ 汇总 / summary ================"
  local line
  for line in "${SUMMARY[@]}"; do echo "  $line"; done
  if [ "$rc" -ne 0 ] && [ -n "$CURRENT" ]; then
    echo "  FAILED  $CURRENT"
    echo "失败：步骤「$CURRENT」未通过（退出码 $rc）。总耗时 $(fmt_secs "$total")"
  else
    echo "全部通过。总耗时 total: $(fmt_secs "$total") (${total} s)"
  fi
  exit "$rc"
}
trap on_exit EXIT

# step NAME COMMAND...: runs one step with a header and its wall time.
step() {
  local name="$1"; shift
  CURRENT="$name"
  echo
  echo "================ $name ================"
  local t0; t0=$(date +%s)
  "$@"
  local dt=$(( $(date +%s) - t0 ))
  echo "---- $name: $(fmt_secs "$dt")"
  SUMMARY+=("ok  $(printf '%-34s' "$name") $(fmt_secs "$dt")")
  CURRENT=""
}

in_ui() { (cd "$REPO_ROOT/ui" && "$@"); }

ensure_rustfmt() {
  cargo fmt --version >/dev/null 2>&1 && return 0
  command -v rustup >/dev/null 2>&1 || die "cargo fmt 不可用，且没有 rustup 来安装 rustfmt。"
  rustup component add rustfmt
}

ensure_tauri_driver() {
  if command -v tauri-driver >/dev/null 2>&1; then
    echo "tauri-driver 已安装：$(command -v tauri-driver)"
  else
    # The registry's newest tauri-driver is a 3.0 alpha; stay on 2.x.
    cargo install tauri-driver --version '^2' --locked
  fi
}

desktop_smoke() {
  xvfb-run -a --server-args="-screen 0 1280x800x24" node tests/desktop/smoke.mjs
}

step "apt 系统依赖"                  ensure_apt_packages "${TEST_APT_PACKAGES[@]}"
step "工具链 toolchain"               ensure_toolchain
step "rustfmt"                       ensure_rustfmt
step "cargo fmt --check"             cargo fmt --all -- --check
step "核心测试 cargo test -p recoup"  cargo test -p recoup
step "TS 类型 gen-ts --check"         cargo run -q -p recoup -- gen-ts --check
step "UI npm ci"                     in_ui npm ci --no-audit --no-fund
step "UI typecheck"                  in_ui npm run typecheck
step "UI 单元测试 vitest"             in_ui npm run test
step "UI build"                      in_ui npm run build
step "cargo build -p recoup"         cargo build -p recoup
step "UI 端到端 e2e"                  in_ui npm run e2e
step "桌面构建 cargo build -p recoup-app" cargo build -p recoup-app
step "桌面 IPC 测试 cargo test -p recoup-app" cargo test -p recoup-app
step "tauri-driver"                  ensure_tauri_driver
step "桌面冒烟测试 desktop smoke"      desktop_smoke

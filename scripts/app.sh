#!/usr/bin/env bash
# Builds and runs the Recoup desktop app on a fresh Debian/Ubuntu machine.
#
#   ./scripts/app.sh              build (release) and open the window on the current desktop
#   ./scripts/app.sh --headless   same, but inside a virtual X server (xvfb-run -a): for machines
#                                 without a screen, e.g. to check that the app starts; nothing is visible
#
# Display policy: without --headless the app needs a graphical session ($DISPLAY or $WAYLAND_DISPLAY).
# If there is none, the script stops with a clear message instead of letting GTK panic; we do not
# silently fall back to Xvfb, because an invisible window is never what a user running this wants.
#
# Data: the app opens its default database, <platform data dir>/recoup.db (on Linux
# ~/.local/share/recoup/recoup.db), created on first start, unless $RECOUP_DB names another file.
# No configuration is needed.
#
# Blank windows on some GPU drivers (WebKitGTK with proprietary NVIDIA drivers or some VMs) are avoided:
# the app turns WebKit's DMA-BUF renderer off itself (WEBKIT_DISABLE_DMABUF_RENDERER=1, ARCHITECTURE
# "Desktop memory").
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

headless=0
for arg in "$@"; do
  case "$arg" in
    --headless) headless=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "未知参数：$arg（可用：--headless）" ;;
  esac
done

if [ "$headless" -eq 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  die "未检测到图形界面（DISPLAY 和 WAYLAND_DISPLAY 均为空），无法显示窗口。
请在桌面环境的终端中运行；若只想在无屏幕的机器上验证程序能启动，请使用：$0 --headless"
fi

packages=("${TAURI_APT_PACKAGES[@]}" fonts-noto-cjk)
[ "$headless" -eq 1 ] && packages+=(xvfb xauth)
log "== 检查系统软件包"
ensure_apt_packages "${packages[@]}"
ensure_toolchain

log "== 构建界面（ui/dist）"
build_ui

log "== 构建桌面程序（release）"
cd "$REPO_ROOT"
# tauri/custom-protocol = a production build, exactly what `tauri build` compiles for the installers.
cargo build --release -p recoup-app --features tauri/custom-protocol

app="$(target_dir)/release/recoup-app"
log "== 启动：$app"
if [ "$headless" -eq 1 ]; then
  exec xvfb-run -a "$app"
else
  exec "$app"
fi

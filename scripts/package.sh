#!/usr/bin/env bash
# Builds the installer of the desktop app for Debian/Ubuntu (.deb) from a clean clone (issue 12):
#
#   ./scripts/package.sh [--install] [--smoke]
#
# Installs what the build needs (apt packages, the Rust toolchain check, `npm ci`), builds the UI and
# runs Tauri's bundler (`tauri build --bundles deb`, the CLI from ui/node_modules), which compiles the
# release app exactly as the installer ships it. The package is written to
# <target>/release/bundle/deb/. It declares its dependencies (WebKitGTK, GTK, the CJK fonts), so that
# `apt install ./Recoup*.deb` brings everything the window needs.
#   --install  installs the package on this machine (apt install ./…deb; root or sudo).
#   --smoke    then runs the desktop smoke test (tests/desktop/smoke.mjs under Xvfb) against the
#              installed program (/usr/bin/recoup-app), not the build tree.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

install=0
smoke=0
for arg in "$@"; do
  case "$arg" in
    --install) install=1 ;;
    --smoke) install=1; smoke=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "未知参数：$arg（可用：--install --smoke）" ;;
  esac
done

log "== 检查系统软件包"
packages=("${TAURI_APT_PACKAGES[@]}" fonts-noto-cjk)
[ "$smoke" -eq 1 ] && packages+=(xvfb xauth webkit2gtk-driver)
ensure_apt_packages "${packages[@]}"
ensure_toolchain

log "== 构建界面（ui/dist）"
build_ui

log "== 打包（tauri build --bundles deb）"
# --ignore-version-mismatches: the npm package @tauri-apps/plugin-fs is published up to 2.6.0 while the
# crate is at 2.7 (same commands; the check wants equal minor versions).
ui/node_modules/.bin/tauri build --bundles deb --ci --ignore-version-mismatches
deb="$(ls -t "$(target_dir)"/release/bundle/deb/*.deb | head -1)"
log "安装包：$deb（$(du -h "$deb" | cut -f1)）"
dpkg-deb --field "$deb" Package Version Depends Recommends >&2

if [ "$install" -eq 1 ]; then
  log "== 安装：apt install $deb"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --reinstall "$deb"
  command -v recoup-app >/dev/null || die "安装后找不到 recoup-app"
  log "已安装：$(command -v recoup-app)"
fi

if [ "$smoke" -eq 1 ]; then
  log "== 冒烟测试：已安装的程序"
  cargo build --release --bin recoup
  RECOUP_APP_BIN="$(command -v recoup-app)" RECOUP_BIN="$(target_dir)/release/recoup" \
    xvfb-run -a --server-args="-screen 0 1280x800x24" node tests/desktop/smoke.mjs
fi

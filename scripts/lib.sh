# shellcheck shell=bash
# Shared helpers for scripts/app.sh and scripts/test.sh. Source it; do not run it.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# System packages Tauri 2 needs to build and run on Debian/Ubuntu.
TAURI_APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential file pkg-config curl
  libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
)

log() { printf '%s\n' "$*" >&2; }
die() { printf '错误：%s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when already root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "需要 root 权限来安装系统软件包，但没有找到 sudo。请以 root 身份运行，或先安装 sudo。"
  fi
}

# Installs the given apt packages that are not installed yet (no network access when all are present).
_APT_UPDATED=0
ensure_apt_packages() {
  local missing=() pkg status
  for pkg in "$@"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    [ "$status" = "installed" ] || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "系统软件包已齐全（${#}个）。"
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || die "缺少软件包 ${missing[*]}，且本机没有 apt-get（仅支持 Debian/Ubuntu）。"
  log "安装系统软件包：${missing[*]}"
  if [ "$_APT_UPDATED" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    _APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Makes cargo/rustc/node/npm available or explains what is missing.
ensure_toolchain() {
  if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
  fi
  command -v cargo >/dev/null 2>&1 || die "未找到 cargo（Rust 工具链）。请先安装 rustup：https://rustup.rs ，然后重新运行。"
  command -v node >/dev/null 2>&1 || die "未找到 node。请先安装 Node.js 20 或更高版本，然后重新运行。"
  command -v npm >/dev/null 2>&1 || die "未找到 npm。请安装与 Node.js 配套的 npm，然后重新运行。"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || die "Node.js 版本过低（$(node --version)），需要 20 或更高版本。"
  log "工具链：$(cargo --version)；node $(node --version)；npm $(npm --version)"
}

# Installs the UI's npm dependencies exactly as locked and builds ui/dist.
build_ui() {
  (
    cd "$REPO_ROOT/ui"
    npm ci --no-audit --no-fund
    npm run build
  )
}

# Where cargo puts build output (respects CARGO_TARGET_DIR).
target_dir() {
  local dir="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
  case "$dir" in /*) ;; *) dir="$REPO_ROOT/$dir" ;; esac
  printf '%s\n' "$dir"
}

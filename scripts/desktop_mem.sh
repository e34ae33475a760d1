#!/usr/bin/env bash
# Desktop memory benchmark (issue 13): idle memory of the release desktop app on a fresh database.
#
#   ./scripts/desktop_mem.sh [--build] [--bin PATH] [--idle SECONDS] [--runs N] [--shot FILE] [--office]
#
# Starts the app (default: <target>/release/recoup-app) in its own Xvfb (1280x800) with a fresh
# database ($RECOUP_DB in a temp dir) and fresh XDG data/config/cache dirs (no WebKit cache or local
# storage left from an earlier run), waits until the window has painted the UI (the first-run screen
# on a fresh database), lets it idle for --idle seconds (default 10), then sums the PSS
# (/proc/<pid>/smaps_rollup: shared pages divided among the processes that map them, so a library
# mapped by the app and its WebKit processes counts once) over the app process and all its descendants
# (WebKitWebProcess, WebKitNetworkProcess, …). Prints one line per process (PSS, private = USS, RSS)
# and the total against the target (250 MB), plus the time to first paint (from starting the process to
# the first screen frame that shows rendered content, polled every 0.1 s with xwd). With --runs N it
# measures N fresh starts and prints each total and the median. Leaves a screenshot of the idle window
# (PNG, default <target>/desktop-mem.png).
#
# --office: the database is not empty but has its office (and its administrator) (`recoup init`, with $RECOUP_BIN, default
# <target>/debug/recoup), so the window idles on the 工作台 instead of the first-run screen.
# --build first builds the UI and the release app exactly as scripts/app.sh does (10–20 min cold).
# Needs: xvfb, x11-apps (xwd), python3 (standard library only). Missing apt packages are installed.
# Variables passed through to the app (e.g. WEBKIT_DISABLE_DMABUF_RENDERER=1) are measured as set.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

TARGET_MB=250
BUILD=0
BIN=""
IDLE=10
RUNS=1
SHOT=""
OFFICE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=1 ;;
    --bin) BIN="$2"; shift ;;
    --idle) IDLE="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --shot) SHOT="$2"; shift ;;
    --office) OFFICE=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "未知参数：$1（可用：--build --bin PATH --idle SECONDS --runs N --shot FILE --office）" ;;
  esac
  shift
done
BIN="${BIN:-$(target_dir)/release/recoup-app}"
SHOT="${SHOT:-$(target_dir)/desktop-mem.png}"

ensure_apt_packages xvfb xauth x11-apps libwebkit2gtk-4.1-0 fonts-noto-cjk
command -v python3 >/dev/null 2>&1 || die "需要 python3。"

if [ "$BUILD" -eq 1 ]; then
  ensure_toolchain
  log "== 构建界面（ui/dist）"
  build_ui
  log "== 构建桌面程序（release）"
  cargo build --release -p recoup-app --features tauri/custom-protocol
fi
RECOUP_BIN="${RECOUP_BIN:-$(target_dir)/debug/recoup}"
[ "$OFFICE" -eq 0 ] || [ -x "$RECOUP_BIN" ] || die "--office 需要命令行程序 $RECOUP_BIN（cargo build -p recoup，或设置 RECOUP_BIN）。"
[ -x "$BIN" ] || die "找不到桌面程序 $BIN。请先构建（$0 --build，或 cargo build --release -p recoup-app --features tauri/custom-protocol），或用 --bin 指定。"

# The measuring helper: first paint (xwd polling), the process tree, PSS, the screenshot.
HELPER="$(mktemp --suffix=.py)"
trap 'rm -f "$HELPER"' EXIT
cat >"$HELPER" <<'PY'
import os, struct, subprocess, sys, time, zlib

def xwd_pixels(display):
    """The root window as (width, height, bytes_per_line, bpp, raw pixels) via xwd."""
    raw = subprocess.run(['xwd', '-root', '-silent', '-display', display], capture_output=True, check=True).stdout
    h = struct.unpack('>25I', raw[:100])
    header_size, width, height, bpp, bpl, ncolors = h[0], h[4], h[5], h[11], h[12], h[19]
    return width, height, bpl, bpp, raw[header_size + ncolors * 12:]

def colours(display, step=3):
    """Distinct pixel values in a sample of the screen (one in `step` pixels of one in `step` rows)."""
    w, h, bpl, bpp, px = xwd_pixels(display)
    n = bpp // 8
    seen = set()
    for y in range(0, h, step):
        row = px[y * bpl:(y * bpl) + w * n]
        for x in range(0, w * n, step * n):
            seen.add(row[x:x + n])
            if len(seen) > 64:
                return len(seen)
    return len(seen)

def first_paint(display, pid, t0, timeout=60.0):
    """Seconds from t0 until the screen shows rendered content (many colours: text, icons)."""
    while time.time() - t0 < timeout:
        if not os.path.exists(f'/proc/{pid}'):
            sys.exit('程序在首次绘制前退出')
        try:
            if colours(display) >= 16:
                return time.time() - t0
        except subprocess.CalledProcessError:
            pass  # no window mapped yet
        time.sleep(0.1)
    return None

def png(display, path):
    w, h, bpl, bpp, px = xwd_pixels(display)
    n = bpp // 8
    rows = []
    for y in range(h):
        row = px[y * bpl:y * bpl + w * n]
        out = bytearray(b'\0')
        for x in range(0, w * n, n):
            b, g, r = row[x], row[x + 1], row[x + 2]  # ZPixmap, LSBFirst, 24/32 bpp: B G R X
            out += bytes((r, g, b))
        rows.append(bytes(out))
    def chunk(kind, data):
        c = kind + data
        return struct.pack('>I', len(data)) + c + struct.pack('>I', zlib.crc32(c) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(b''.join(rows), 6)) + chunk(b'IEND', b''))

def children():
    kids = {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open(f'/proc/{d}/stat') as f:
                    s = f.read()
                ppid = int(s[s.rindex(')') + 2:].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError):
                pass
    return kids

def tree(root):
    kids, out, todo = children(), [], [root]
    while todo:
        p = todo.pop(0)
        out.append(p)
        todo.extend(sorted(kids.get(p, [])))
    return out

def rollup(pid):
    kb = {}
    with open(f'/proc/{pid}/smaps_rollup') as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[-1] == 'kB':
                kb[parts[0].rstrip(':')] = int(parts[1])
    return kb

def name(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            args = f.read().split(b'\0')
        return os.path.basename(args[0].decode(errors='replace')) or '?'
    except OSError:
        return '?'

def measure(pid):
    rows = []
    for p in tree(pid):
        try:
            kb = rollup(p)
        except OSError:
            continue
        uss = kb.get('Private_Clean', 0) + kb.get('Private_Dirty', 0)
        rows.append((p, name(p), kb.get('Pss', 0), uss, kb.get('Rss', 0)))
    return rows

def main():
    cmd, display, pid, t0 = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    if cmd == 'paint':
        t = first_paint(display, pid, t0)
        print('' if t is None else f'{t:.2f}')
    elif cmd == 'measure':
        rows = measure(pid)
        for p, n, pss, uss, rss in rows:
            print(f'{p}\t{n}\t{pss}\t{uss}\t{rss}')
    elif cmd == 'shot':
        png(display, sys.argv[5])

main()
PY

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# One fresh start: prints the report, sets TOTAL_KB.
run_once() {
  local tmp display_fd xvfb_pid display app_pid t0 paint rows
  tmp="$(mktemp -d)"
  mkdir -p "$tmp/data" "$tmp/config" "$tmp/cache"
  # -displayfd: Xvfb picks a free display and writes its number; -br: black root (a blank screen is one colour).
  exec {display_fd}> "$tmp/display"
  Xvfb -displayfd "$display_fd" -screen 0 1280x800x24 -br -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  exec {display_fd}>&-
  for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
  [ -s "$tmp/display" ] || die "Xvfb 未能启动。"
  display=":$(head -1 "$tmp/display")"
  if [ "$OFFICE" -eq 1 ]; then
    RECOUP_PASSWORD=first1pass "$RECOUP_BIN" --db "$tmp/recoup.db" init --code 220102 --name 长春市南关区医疗保障局 >/dev/null
  fi

  t0="$(date +%s.%N)"
  DISPLAY="$display" RECOUP_DB="$tmp/recoup.db" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
    XDG_CACHE_HOME="$tmp/cache" "$BIN" >"$tmp/app.log" 2>&1 &
  app_pid=$!

  paint="$(python3 "$HELPER" paint "$display" "$app_pid" "$t0" || true)"
  sleep "$IDLE"
  rows="$(python3 "$HELPER" measure "$display" "$app_pid" "$t0")"
  python3 "$HELPER" shot "$display" "$app_pid" "$t0" "$SHOT" || true

  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  kill "$xvfb_pid" 2>/dev/null || true
  wait "$xvfb_pid" 2>/dev/null || true

  printf '%-8s %-24s %10s %10s %10s\n' pid process 'PSS MB' 'USS MB' 'RSS MB'
  TOTAL_KB=0
  local pid name pss uss rss
  while IFS=$'\t' read -r pid name pss uss rss; do
    [ -n "$pid" ] || continue
    printf '%-8s %-24s %10s %10s %10s\n' "$pid" "$name" "$(mb "$pss")" "$(mb "$uss")" "$(mb "$rss")"
    TOTAL_KB=$((TOTAL_KB + pss))
  done <<<"$rows"
  local verdict="met"
  [ "$TOTAL_KB" -le $((TARGET_MB * 1024)) ] || verdict="NOT MET"
  printf '%-33s %10s   target ≤ %d MB: %s\n' 'total PSS' "$(mb "$TOTAL_KB")" "$TARGET_MB" "$verdict"
  if [ -n "$paint" ]; then
    echo "first paint: ${paint} s (process start → first frame with rendered content)"
  else
    echo "first paint: not seen within 60 s"
  fi
  if [ -s "$tmp/app.log" ]; then
    echo "app output:"; sed 's/^/  /' "$tmp/app.log" | tail -20
  fi
  rm -rf "$tmp"
}

echo "desktop memory: $BIN"
if [ "$OFFICE" -eq 1 ]; then echo "database: fresh, office initialised (工作台)"; else echo "database: fresh (first-run screen)"; fi
echo "idle ${IDLE} s after first paint; 1280x800 Xvfb; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
totals=()
for i in $(seq "$RUNS"); do
  [ "$RUNS" -eq 1 ] || echo "---- run $i/$RUNS"
  run_once
  totals+=("$TOTAL_KB")
done
if [ "$RUNS" -gt 1 ]; then
  median="$(printf '%s\n' "${totals[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
  printf 'totals:'; for t in "${totals[@]}"; do printf ' %s' "$(mb "$t")"; done; echo " MB"
  verdict="met"; [ "$median" -le $((TARGET_MB * 1024)) ] || verdict="NOT MET"
  echo "median total PSS: $(mb "$median") MB   target ≤ ${TARGET_MB} MB: $verdict"
fi
echo "screenshot: $SHOT"

#!/usr/bin/env python3
"""Generates the app icons (RGBA PNG) with the standard library only.

Design: a rounded blue square with a white coin ring and a white "returning" arrow,
i.e. funds coming back. Run: python3 assets/icons/gen_icons.py  (writes src-tauri/icons/).
"""
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "src-tauri", "icons")

BG_TOP = (22, 93, 255)      # #165DFF
BG_BOTTOM = (12, 60, 170)
WHITE = (255, 255, 255)


def inside(x, y):
    """Returns (r, g, b, a) at unit coordinates x, y in [0, 1)."""
    # rounded square with margin
    m, r = 0.06, 0.2
    lo, hi = m, 1 - m
    cx = min(max(x, lo + r), hi - r)
    cy = min(max(y, lo + r), hi - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r or not (lo <= x <= hi and lo <= y <= hi):
        return None
    t = (y - lo) / (hi - lo)
    bg = tuple(int(BG_TOP[i] * (1 - t) + BG_BOTTOM[i] * t) for i in range(3))
    dx, dy = x - 0.5, y - 0.5
    d = math.hypot(dx, dy)
    ang = math.degrees(math.atan2(dy, dx)) % 360  # 0 = east, 90 = south
    # coin ring, open between 300 and 350 degrees (upper right) where the arrow head sits
    if 0.25 <= d <= 0.31 and not (292 <= ang <= 352):
        return WHITE
    # arrow head at the end of the ring, pointing clockwise into the gap
    hx, hy = 0.5 + 0.28 * math.cos(math.radians(292)), 0.5 + 0.28 * math.sin(math.radians(292))
    # triangle pointing along the tangent direction (clockwise = increasing angle in screen coords)
    tang = math.radians(292 + 90)  # tangent, pointing clockwise into the gap
    ux, uy = math.cos(tang), math.sin(tang)
    px, py = x - hx, y - hy
    along = px * ux + py * uy
    across = -px * uy + py * ux
    if 0.0 <= along <= 0.12 and abs(across) <= (0.12 - along) * 0.75:
        return WHITE
    # yen sign in the middle
    if abs(dx) <= 0.025 and -0.02 <= dy <= 0.16:
        return WHITE
    if (abs(dy - 0.03) <= 0.018 or abs(dy - 0.09) <= 0.018) and abs(dx) <= 0.09:
        return WHITE
    for sgn in (-1, 1):
        # diagonal arms from (0, -0.02) up to (+-0.1, -0.14)
        ax, ay = 0.0, -0.02
        bx, by = sgn * 0.1, -0.15
        vx, vy = bx - ax, by - ay
        L = math.hypot(vx, vy)
        s = ((x - 0.5 - ax) * vx + (y - 0.5 - ay) * vy) / (L * L)
        if 0 <= s <= 1:
            qx, qy = ax + s * vx, ay + s * vy
            if math.hypot(x - 0.5 - qx, y - 0.5 - qy) <= 0.025:
                return WHITE
    return bg


def render(size, ss=4):
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    c = inside((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size)
                    if c is not None:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 255
            n = ss * ss
            a = acc[3] // n
            if a:
                k = acc[3] / 255
                row += bytes([int(acc[0] / k), int(acc[1] / k), int(acc[2] / k), a])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, data):
    def chunk(tag, body):
        c = struct.pack(">I", len(body)) + tag + body
        return c + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(data, 9)) + chunk(b"IEND", b"")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(png(size, render(size, 4 if size <= 256 else 2)))
        print("wrote", name)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Regenerate the KýSố app icons (no downloads): python3 make_icons.py  (needs python3-pil)."""
from pathlib import Path
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
BLUE, WHITE, RED = (21, 88, 176, 255), (255, 255, 255, 255), (200, 40, 40, 255)
FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
         "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"]


def font(size):
    for f in FONTS:
        if Path(f).exists():
            return ImageFont.truetype(f, size)
    return ImageFont.load_default()


def master(n=1024):
    img = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    m = n // 16
    d.rounded_rectangle([m, m, n - m, n - m], radius=n // 5, fill=BLUE)
    # "KS" letters
    f = font(int(n * 0.42))
    d.text((n / 2, n * 0.44), "KS", font=f, fill=WHITE, anchor="mm")
    # signature stroke under the letters
    w = max(2, n // 28)
    y = n * 0.72
    pts = [(n * 0.22, y), (n * 0.32, y - n * 0.05), (n * 0.42, y + n * 0.03),
           (n * 0.52, y - n * 0.04), (n * 0.62, y + n * 0.02), (n * 0.70, y - n * 0.02)]
    d.line(pts, fill=WHITE, width=w, joint="curve")
    # red seal dot
    r = n * 0.07
    cx, cy = n * 0.78, n * 0.72
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=RED, outline=WHITE, width=max(1, n // 80))
    return img


def main():
    big = master()
    for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256),
                       ("icon.png", 512)]:
        big.resize((size, size), Image.LANCZOS).save(HERE / name)
    big.resize((256, 256), Image.LANCZOS).save(
        HERE / "icon.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])


if __name__ == "__main__":
    main()

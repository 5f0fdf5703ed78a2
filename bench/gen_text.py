"""Writes SIZE_MIB of log-like text to PATH: compressible the way real logs are (LZ4 ~3x)."""
import random
import sys

path, size = sys.argv[1], int(sys.argv[2]) << 20
rnd = random.Random(7)
levels = ["INFO"] * 8 + ["WARN", "DEBUG", "ERROR"]
paths = ["/api/orders", "/api/users", "/api/cart", "/health", "/api/search", "/static/app.js"]
words = "request served cache miss hit upstream retry timeout queued user session token".split()
with open(path, "w") as f:
    written = 0
    t = 1_700_000_000
    while written < size:
        lines = []
        for _ in range(1000):
            t += rnd.randint(0, 3)
            lines.append(
                f"2026-11-{(t // 86400) % 28 + 1:02d}T{(t // 3600) % 24:02d}:{(t // 60) % 60:02d}:{t % 60:02d}."
                f"{rnd.randint(0, 999):03d}Z {rnd.choice(levels)} {rnd.choice(paths)} "
                f"id={rnd.getrandbits(48):012x} status={rnd.choice((200, 200, 200, 204, 304, 404, 500))} "
                f"{rnd.choice(words)} {rnd.choice(words)} in {rnd.randint(1, 900)} ms\n"
            )
        chunk = "".join(lines)
        if written + len(chunk) > size:
            chunk = chunk[: size - written]
        f.write(chunk)
        written += len(chunk)

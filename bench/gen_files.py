"""Writes COUNT files of 1-8 KiB of random bytes under DIR, 1,000 per directory; prints the total."""
import os
import random
import sys

root, count = sys.argv[1], int(sys.argv[2])
rnd = random.Random(11)
total = 0
for i in range(count):
    d = os.path.join(root, f"d{i // 1000:04d}")
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    n = rnd.randint(1024, 8192)
    with open(os.path.join(d, f"f{i:06d}.bin"), "wb") as f:
        f.write(rnd.randbytes(n))
    total += n
print(total)

"""Python's zipfile against the lab's zip64 archives, both ways.

Usage:
  zip64_check.py read ZIP          -> {"count", "bad", "zip64_end", "sample": {name: text}}
  zip64_check.py write ZIP N       -> writes N small entries with force_zip64 on every entry
"""
import json
import sys
import zipfile

mode, path = sys.argv[1], sys.argv[2]
if mode == "read":
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        bad = z.testzip()
        sample = {n: z.read(n).decode("utf-8") for n in (names[:2] + names[-2:]) if not n.endswith("/")}
    with open(path, "rb") as f:
        data = f.read()
    print(json.dumps({"count": len(names), "bad": bad, "zip64_end": data.rfind(b"PK\x06\x06") >= 0, "sample": sample}))
else:
    n = int(sys.argv[3])
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            with z.open(f"dir/f{i:06d}.txt", "w", force_zip64=True) as f:
                f.write((f"entry {i} " * 20).encode())
    print(json.dumps({"written": n}))

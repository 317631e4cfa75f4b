"""Writes a big MLflow file-store zip on disk for the streamed-import bench (bench/suites/42-bundle-stream.mjs).

Usage: make_big_bundle.py OUT.zip TOTAL_MIB RUNS KEYS STEPS
One experiment of RUNS runs, each with params, KEYS metric histories of STEPS points and one big
artifact (TOTAL_MIB / RUNS MiB): random bytes stored as they are, except the last run's, which
is half random, half zeros and deflated (so the import inflates a big entry too). zip64 records
are written (force_zip64) as any archive this big needs. Prints JSON: size, runs, points.
Plain Python (no MLflow needed): the file store layout is MLflow's, as its FileStore writes it.
"""
import hashlib
import json
import os
import sys
import zipfile

out, total_mib, runs, keys, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
exp = "1"
t0 = 1_700_000_000_000
BLOCK = 4 << 20


def text(z, name, s):
    z.writestr(name, s, compress_type=zipfile.ZIP_DEFLATED)


with zipfile.ZipFile(out, "w", allowZip64=True) as z:
    text(z, "mlruns/0/meta.yaml", "artifact_location: mlruns/0\ncreation_time: 1700000000000\nexperiment_id: '0'\n"
         "last_update_time: 1700000000000\nlifecycle_stage: active\nname: Default\n")
    text(z, f"mlruns/{exp}/meta.yaml", f"artifact_location: mlruns/{exp}\ncreation_time: 1700000000000\nexperiment_id: '{exp}'\n"
         "last_update_time: 1700000000000\nlifecycle_stage: active\nname: big-bundle\n")
    per_run = (total_mib << 20) // runs
    for r in range(runs):
        rid = hashlib.md5(f"big-bundle-{r}".encode()).hexdigest()
        d = f"mlruns/{exp}/{rid}"
        text(z, f"{d}/meta.yaml", f"artifact_uri: mlruns/{exp}/{rid}/artifacts\nend_time: {t0 + 1000}\nentry_point_name: ''\n"
             f"experiment_id: '{exp}'\nlifecycle_stage: active\nrun_id: {rid}\nrun_name: big-{r}\nrun_uuid: {rid}\n"
             f"source_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: {t0}\nstatus: 3\ntags: []\nuser_id: bench\n")
        text(z, f"{d}/tags/mlflow.runName", f"big-{r}")
        for p in range(5):
            text(z, f"{d}/params/p{p}", str(p * 0.5))
        for k in range(keys):
            text(z, f"{d}/metrics/m{k}", "".join(f"{t0 + s} {((s * 7919 + k) % 1000) / 997.0!r} {s}\n" for s in range(steps)))
        text(z, f"{d}/artifacts/notes.txt", "a big model follows")
        deflated = r == runs - 1
        info = zipfile.ZipInfo(f"{d}/artifacts/model/weights.bin", date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED
        if deflated:
            info._compresslevel = 1
        with z.open(info, "w", force_zip64=True) as f:
            left = per_run
            i = 0
            while left > 0:
                n = min(BLOCK, left)
                f.write(bytes(n) if deflated and i % 2 else os.urandom(n))
                left -= n
                i += 1
print(json.dumps({"size": os.path.getsize(out), "runs": runs, "points": runs * keys * steps}))

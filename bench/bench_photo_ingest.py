"""Photo ingest of a 12 MP phone JPEG: our pipeline against bare Pillow (time, peak memory, sizes).

Each side runs in a fresh Python process, because peak memory has to include Pillow's C buffers,
which tracemalloc does not see: the figure is the rise of the peak resident size over the process's
size once everything is imported. (ru_maxrss cannot say it: a child inherits the parent's peak across
fork and exec, so the child resets the kernel's high-water mark, VmHWM, and reads that.)
"""

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import ExifTags, Image, ImageChops

from tests.submissions.corpus import adobe_rgb_profile

REPEAT = 5
PHONE_SIZE = (4032, 3024)
TARGETS = {"plain": 1.3, "ICC profile": 1.6}  # issue 14: times bare Pillow on the same file
PEAK_MB = 120


def run(report):
    with tempfile.TemporaryDirectory() as folder:
        for label, profile in (("plain", None), ("ICC profile", adobe_rgb_profile())):
            path = Path(folder) / "IMG_0001.jpg"
            path.write_bytes(phone_jpeg(profile))
            pipeline = _measure_in_fresh_process("pipeline", path)
            pillow = _measure_in_fresh_process("pillow", path)
            target = TARGETS[label]
            report(f"{label}: pipeline, ingest + renditions, median", pipeline["ms"], "ms")
            report(f"{label}: pipeline, best", pipeline["best_ms"], "ms")
            report(f"{label}: bare Pillow, draft + thumbnail, median", pillow["ms"], "ms")
            report(f"{label}: bare Pillow, best", pillow["best_ms"], "ms")
            report(f"{label}: ratio of medians (target <= {target})", pipeline["ms"] / pillow["ms"], "x")
            report(
                f"{label}: ratio of bests (target <= {target})", pipeline["best_ms"] / pillow["best_ms"], "x"
            )
            report(f"{label}: pipeline peak memory (target <= {PEAK_MB})", pipeline["peak_mb"], "MB")
            report(f"{label}: bare Pillow peak memory", pillow["peak_mb"], "MB")
            for name, size in pipeline["sizes"].items():
                report(f"{label}: size: {name}", size / 1024, "KB")


def phone_jpeg(profile=None):
    """A 4032x3024 JPEG of gradients and grain at three scales (about 3.7 MB), stored sideways, with
    an embedded wide-gamut ICC profile when one is given (as phones send Display P3)."""
    channels = [
        Image.linear_gradient("L").resize(PHONE_SIZE),
        Image.radial_gradient("L").resize(PHONE_SIZE),
        Image.linear_gradient("L").rotate(90).resize(PHONE_SIZE),
    ]
    image = Image.merge("RGB", channels)
    for sigma, scale in ((40, 16), (20, 4), (4, 1)):
        grain = Image.effect_noise((PHONE_SIZE[0] // scale, PHONE_SIZE[1] // scale), sigma)
        grain = grain.resize(PHONE_SIZE, Image.Resampling.BICUBIC)
        image = ImageChops.add(image, Image.merge("RGB", (grain, grain, grain)), offset=-128)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    output = io.BytesIO()
    image.save(output, "JPEG", quality=90, exif=exif, **({"icc_profile": profile} if profile else {}))
    return output.getvalue()


def _measure_in_fresh_process(scenario, path):
    code = f"from bench.bench_photo_ingest import measure; measure({scenario!r}, {str(path)!r})"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "publicity.settings"),
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(scenario, path):
    """In the child process: print {"ms", "best_ms", "peak_mb", "sizes"} for one scenario as JSON."""
    import django

    django.setup()
    from django.conf import settings

    from submissions.images import ingest

    def pipeline():  # what actions.add_photo does with an upload
        with open(path, "rb") as upload:
            photo = ingest(
                upload,
                name="IMG_0001.jpg",
                max_bytes=settings.PHOTO_MAX_BYTES,
                max_pixels=settings.PHOTO_MAX_PIXELS,
                renditions=settings.PHOTO_RENDITIONS,
            )
        return {"input": os.path.getsize(path), "stored original": len(photo.content)} | {
            name: len(content) for name, content in photo.renditions.items()
        }

    def pillow():
        with Image.open(path) as image:
            image.draft("RGB", (1600, 1600))
            image.thumbnail((1600, 1600))
            image.save(io.BytesIO(), "JPEG")
        return {}

    work = {"pipeline": pipeline, "pillow": pillow}[scenario]
    Path("/proc/self/clear_refs").write_text("5")  # peak resident size := current resident size
    baseline = _resident_kb("VmHWM")
    sizes = work()
    peak_kb = _resident_kb("VmHWM") - baseline
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    figures = {"ms": statistics.median(samples), "best_ms": min(samples), "peak_mb": peak_kb / 1024}
    print(json.dumps(figures | {"sizes": sizes}))


def _resident_kb(field):
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith(f"{field}:"))

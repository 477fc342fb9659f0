import hashlib
import io
import time

import pytest
from PIL import Image, ImageCms

from submissions.images import PhotoRejected, ingest, make_rendition
from tests.submissions import corpus

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 60_000_000


def ingest_bytes(data, name="photo.jpg", max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS):
    return ingest(io.BytesIO(data), name=name, max_bytes=max_bytes, max_pixels=max_pixels)


def refusal(data, name="photo.jpg", **limits):
    with pytest.raises(PhotoRejected) as caught:
        ingest_bytes(data, name, **limits)
    return caught.value.message


def decoded(content):
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def close_to(pixel, expected, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def test_plain_jpeg_is_stored_as_jpeg_of_the_same_size():
    photo = ingest_bytes(corpus.jpeg((640, 480)))

    image = decoded(photo.content)
    assert (photo.extension, image.format, image.mode) == ("jpg", "JPEG", "RGB")
    assert (photo.width, photo.height) == image.size == (640, 480)


def test_rotated_jpeg_is_upright_and_loses_gps_and_serial():
    original = corpus.rotated_jpeg_with_private_metadata()
    photo = ingest_bytes(original)

    image = decoded(photo.content)
    assert image.size == (photo.width, photo.height) == (400, 600)
    assert close_to(image.getpixel((395, 5)), corpus.RED, tolerance=40)
    assert not close_to(image.getpixel((5, 5)), corpus.RED, tolerance=40)
    assert dict(image.getexif()) == {}
    assert not {"exif", "xmp", "icc_profile", "comment"} & image.info.keys()
    exif_block = Image.open(io.BytesIO(original)).info["exif"]
    secrets = [exif_block, b"Exif\0\0", corpus.SERIAL.encode(), b"PhoneMaker", corpus.XMP, corpus.COMMENT]
    assert [secret for secret in secrets if secret in photo.content] == []


def test_heic_is_accepted_and_stored_as_jpeg():
    photo = ingest_bytes(corpus.heic(), name="IMG_4431.HEIC")

    image = decoded(photo.content)
    assert (photo.extension, image.format, image.size) == ("jpg", "JPEG", (320, 240))
    assert close_to(image.getpixel((160, 120)), corpus.RED)


def test_multi_image_heic_keeps_the_primary_image():
    photo = ingest_bytes(corpus.heic((corpus.GREEN, corpus.BLUE)), name="burst.heic")

    assert close_to(decoded(photo.content).getpixel((160, 120)), corpus.GREEN)


def test_cmyk_jpeg_becomes_rgb():
    photo = ingest_bytes(corpus.cmyk_jpeg())

    image = decoded(photo.content)
    assert image.mode == "RGB"
    red, green, blue = image.getpixel((10, 10))
    assert red > 180 and green < 60 and blue < 60


def test_16_bit_png_becomes_8_bit():
    photo = ingest_bytes(corpus.png_16_bit(), name="scan.png")

    image = decoded(photo.content)
    assert (photo.extension, image.mode) == ("jpg", "RGB")
    # Scaled, not clipped: a plain 16-to-8-bit conversion turns everything past 255/65535 white.
    assert close_to(image.getpixel((64, 16)), (64, 64, 64), tolerance=4)
    assert close_to(image.getpixel((200, 16)), (200, 200, 200), tolerance=4)


def test_animated_webp_keeps_first_frame():
    photo = ingest_bytes(corpus.animated_webp(), name="party.webp")

    image = decoded(photo.content)
    assert (photo.extension, getattr(image, "n_frames", 1)) == ("jpg", 1)
    assert close_to(image.getpixel((80, 60)), corpus.RED)


def test_png_alpha_is_kept_as_png():
    photo = ingest_bytes(corpus.png_with_alpha(), name="badge.png")

    image = decoded(photo.content)
    assert (photo.extension, image.format, image.mode) == ("png", "PNG", "RGBA")
    assert image.getpixel((20, 50))[3] == 0
    assert image.getpixel((150, 50)) == (*corpus.BLUE, 255)


def test_png_without_real_transparency_becomes_jpeg():
    photo = ingest_bytes(corpus.png_opaque_rgba(), name="poster.png")

    assert (photo.extension, decoded(photo.content).mode) == ("jpg", "RGB")


def test_wide_gamut_profile_is_converted_to_srgb_and_removed():
    profile = corpus.adobe_rgb_profile()
    colour = (200, 60, 60)
    photo = ingest_bytes(corpus.jpeg_with_profile(colour, profile))

    image = decoded(photo.content)
    assert "icc_profile" not in image.info
    adobe_rgb, srgb = ImageCms.ImageCmsProfile(io.BytesIO(profile)), ImageCms.createProfile("sRGB")
    expected = ImageCms.profileToProfile(Image.new("RGB", (1, 1), colour), adobe_rgb, srgb).getpixel((0, 0))
    assert not close_to(expected, colour, tolerance=10)  # the test means something only if they differ
    assert close_to(image.getpixel((60, 40)), expected, tolerance=4)


@pytest.mark.parametrize(
    ("name", "data"),
    [("huge.png", corpus.png_bomb(9000, 9000)), ("huge.jpg", corpus.jpeg_claiming(50000, 50000))],
    ids=["81-megapixel-png-of-10-kb", "jpeg-header-claiming-2500-megapixels"],
)
def test_decompression_bomb_is_refused_before_decoding(name, data):
    started = time.perf_counter()
    message = refusal(data, name)

    assert time.perf_counter() - started < 0.5
    assert message == f"“{name}” has more than 60 megapixels; please upload a smaller photo."


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_pillows_own_bomb_limit_still_refuses_above_a_generous_setting():
    message = refusal(corpus.png_bomb(14_000, 14_000), "huge.png", max_pixels=300_000_000)

    assert "“huge.png” has more than" in message


@pytest.mark.parametrize(("name", "data"), corpus.disguised_files(), ids=lambda value: str(value)[:12])
def test_files_that_are_not_photos_are_refused_whatever_their_name(name, data):
    assert refusal(data, name) == f"“{name}” is not a JPEG, PNG, WebP or HEIC photo."


def test_truncated_jpeg_is_refused():
    assert refusal(corpus.truncated_jpeg(), "half.jpg") == (
        "“half.jpg” is damaged or incomplete; please upload the original photo again."
    )


def test_a_tiny_jpeg_claiming_56_megapixels_is_refused_not_padded_with_grey():
    data = corpus.jpeg_claiming(7000, 8000)
    assert len(data) < 2000

    assert refusal(data, "claim.jpg") == (
        "“claim.jpg” is damaged or incomplete; please upload the original photo again."
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cut.jpg", corpus.jpeg_cut_with_end_marker()),
        ("cut-progressive.jpg", corpus.jpeg_cut_with_end_marker(progressive=True)),
        ("cut.jpg", corpus.truncated_jpeg()),
        ("short.png", corpus.png_rows((300, 200), rows=20)),
        ("cut.png", corpus.png_rows((300, 200), rows=200)[:3000]),
        ("no-end.png", corpus.png_without_end()),
        ("cut.webp", corpus.webp_cut()),
        ("cut-lossless.webp", corpus.webp_cut(lossless=True)),
    ],
    ids=["jpeg-end-marker-after-60-percent", "progressive-jpeg-cut", "jpeg-cut", "png-20-of-200-rows",
         "png-cut", "png-without-end", "webp-cut", "lossless-webp-cut"],
)  # fmt: skip
def test_a_file_whose_data_ends_early_is_refused(name, data):
    assert "is damaged or incomplete" in refusal(data, name)


@pytest.mark.parametrize(
    "data",
    [
        corpus.png_rows((300, 200), rows=200),
        corpus.interlaced_png(),
        corpus.encode(corpus.noise((400, 300)), "JPEG", progressive=True),
        corpus.encode(corpus.gradient((401, 299)), "JPEG", subsampling=2, restart_marker_blocks=4),
        corpus.png_16_bit(),
        corpus.jpeg() + b"trailing bytes a camera left",
        corpus.jpeg().replace(b"\xff\xdb", b"\x00\x00\x00\xff\xdb", 1),
    ],
    ids=["png-all-rows", "interlaced-png", "progressive-jpeg", "jpeg-with-restarts", "16-bit-png",
         "jpeg-with-trailer", "jpeg-with-stray-bytes-before-a-marker"],
)  # fmt: skip
def test_complete_files_pass_the_completeness_check(data):
    assert ingest_bytes(data, name="whole").width > 0


def test_file_over_the_size_limit_is_refused():
    data = corpus.large_jpeg()
    assert len(data) > 200_000

    assert refusal(data, "big.jpg", max_bytes=200_000) == "“big.jpg” is larger than the 195.3\xa0KB limit."
    assert ingest_bytes(data, max_bytes=len(data)).extension == "jpg"


def test_size_limit_reads_no_more_than_one_byte_past_it():
    upload = io.BytesIO(corpus.large_jpeg())

    with pytest.raises(PhotoRejected):
        ingest(upload, name="big.jpg", max_bytes=1000, max_pixels=MAX_PIXELS)
    assert upload.tell() == 1001


def test_sha256_matches_content():
    photo = ingest_bytes(corpus.jpeg())

    assert photo.sha256 == hashlib.sha256(photo.content).hexdigest()


def test_file_name_in_a_message_is_left_as_plain_text():
    assert refusal(b"", "<b>x</b>.jpg").startswith("“<b>x</b>.jpg”")


def test_rendition_fits_edge_and_never_upscales():
    content = ingest_bytes(corpus.jpeg((1200, 900))).content

    thumbnail = decoded(make_rendition(content, edge=400))
    display = decoded(make_rendition(content, edge=1600))
    assert (thumbnail.format, thumbnail.size, thumbnail.mode) == ("JPEG", (400, 300), "RGB")
    assert display.size == (1200, 900)
    assert not {"exif", "icc_profile", "comment"} & thumbnail.info.keys()


def test_rendition_of_a_transparent_png_is_a_jpeg_on_white():
    content = ingest_bytes(corpus.png_with_alpha(), name="badge.png").content

    rendition = decoded(make_rendition(content, edge=100))
    assert (rendition.format, rendition.size) == ("JPEG", (100, 50))
    assert close_to(rendition.getpixel((10, 25)), (255, 255, 255), tolerance=3)


def test_truncated_jpeg_is_refused_even_after_a_pdf_was_rendered():
    from publicity.pdf import render_pdf

    render_pdf("<p>an approval sheet</p>")  # WeasyPrint turns Pillow's truncated-image loading on
    assert "damaged" in refusal(corpus.truncated_jpeg(), "half.jpg")

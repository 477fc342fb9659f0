"""Photo ingest: decide what an upload is by decoding it, then store a clean, upright sRGB copy.

Pure functions on bytes; the limits come from the caller (settings.PHOTO_MAX_BYTES and
settings.PHOTO_MAX_PIXELS), so nothing here reads settings.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

import pillow_heif
from django.template.defaultfilters import filesizeformat, floatformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps

# HEIC is what iPhones send; Pillow reads it only through this plugin.
pillow_heif.register_heif_opener()

ACCEPTED_FORMATS = ["JPEG", "PNG", "WEBP", "HEIF"]
JPEG_QUALITY = 90
RENDITION_QUALITY = 85
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# The ICC colour space each image mode may carry a profile for.
PROFILE_SPACES = {"RGB": "RGB ", "RGBA": "RGB ", "CMYK": "CMYK", "L": "GRAY"}


class PhotoRejected(Exception):
    """A photo we refuse; .message is a translated, user-facing sentence naming the file."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IngestedPhoto:
    content: bytes  # re-encoded, upright, sRGB, without any metadata
    extension: str  # "jpg" or "png"
    width: int
    height: int
    sha256: str  # hex digest of content


def ingest(fileobj, *, name, max_bytes, max_pixels):
    """Read an upload and return the copy we store, or raise PhotoRejected with the reason.

    The file's type is decided by decoding it, never by its name or the browser's MIME type.
    """
    data = fileobj.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoRejected(
            _("“%(name)s” is larger than the %(limit)s limit.")
            % {"name": name, "limit": filesizeformat(max_bytes)}
        )
    image = _decode(data, name=name, max_pixels=max_pixels)
    content, extension = _encode(_to_srgb(image))
    return IngestedPhoto(
        content=content,
        extension=extension,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def make_rendition(content, *, edge):
    """A JPEG of stored content whose longest side is at most `edge`; never enlarged."""
    with Image.open(io.BytesIO(content), formats=["JPEG", "PNG"]) as image:
        # With a reducing_gap, thumbnail() calls draft() itself (keeping the exact crop box), so a
        # JPEG decodes at 1/2 to 1/8 scale: most of the memory and time of a full decode is spared.
        image.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=3.0)
        rendition = _flatten(image)
    output = io.BytesIO()
    rendition.save(output, "JPEG", quality=RENDITION_QUALITY, optimize=True)
    return output.getvalue()


def _decode(data, *, name, max_pixels):
    """The first frame, fully decoded and upright; the size is checked from the header first."""
    try:
        with warnings.catch_warnings():
            # Our own limit (below) is the one that speaks to the user; Pillow's warning is noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.UnidentifiedImageError:
        raise _not_a_photo(name) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit is wider than ours; reached only when warnings are errors or the
        # header claims twice Image.MAX_IMAGE_PIXELS.
        raise _too_many_pixels(name, min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)) from None
    except Exception:
        raise _damaged(name) from None
    if image.width * image.height > max_pixels:
        raise _too_many_pixels(name, max_pixels)
    # A truncated file must be refused, not padded with grey: whatever another library set.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        # Image.open() leaves an animated WebP at its first frame and a HEIC at its primary image.
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
        return image
    # Broken files make Pillow raise nearly any exception type; none of them may become a 500.
    except Exception:
        raise _damaged(name) from None


def _to_srgb(image):
    """8-bit RGB or RGBA in sRGB, converted through the embedded ICC profile when there is one."""
    profile = image.info.get("icc_profile")
    image = _common_mode(image)
    if profile:
        try:
            return _convert_with_profile(image, profile)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # A broken or mismatched profile: the pixels are still worth more than a refusal.
    target = "RGBA" if "A" in image.mode else "RGB"
    return image if image.mode == target else image.convert(target)


def _common_mode(image):
    """One of RGB, RGBA, CMYK or L — the modes an ICC profile can apply to."""
    if image.mode.startswith("I") or image.mode == "F":
        # Scale 16-bit samples to 8 bits; a plain convert("L") would clip everything above 255.
        return image.convert("I").point(lambda value: value / 257).convert("L")
    if image.mode in ("CMYK", "L", "RGB", "RGBA") and "transparency" not in image.info:
        return image
    if image.mode in ("1", "YCbCr", "LAB", "HSV") or (image.mode == "P" and "transparency" not in image.info):
        return image.convert("L" if image.mode == "1" else "RGB")
    return image.convert("RGBA")


def _convert_with_profile(image, profile):
    source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    if source.profile.xcolor_space != PROFILE_SPACES[image.mode]:
        raise ValueError("the profile does not describe this image's colours")
    output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    return ImageCms.profileToProfile(
        image, source, SRGB, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=output_mode
    )


def _encode(image):
    """(bytes, extension): PNG when some pixel is see-through, JPEG otherwise; never any metadata."""
    # convert() and the profile transform copy .info (EXIF, XMP, comments, ICC) and the
    # encoders fall back on it, so it goes before saving.
    image.info = {}
    output = io.BytesIO()
    if image.mode == "RGBA":
        if image.getchannel("A").getextrema()[0] < 255:
            image.save(output, "PNG", optimize=True)
            return output.getvalue(), "png"
        image = image.convert("RGB")
    image.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return output.getvalue(), "jpg"


def _flatten(image):
    """RGB, with any transparency laid on white (a JPEG would otherwise show it black)."""
    if image.mode not in ("RGBA", "LA", "PA", "P"):
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    white = Image.new("RGB", rgba.size, "white")
    white.paste(rgba, mask=rgba.getchannel("A"))
    return white


def _not_a_photo(name):
    return PhotoRejected(_("“%(name)s” is not a JPEG, PNG, WebP or HEIC photo.") % {"name": name})


def _too_many_pixels(name, limit):
    return PhotoRejected(
        _("“%(name)s” has more than %(limit)s megapixels; please upload a smaller photo.")
        % {"name": name, "limit": floatformat(limit / 1_000_000, -1)}
    )


def _damaged(name):
    return PhotoRejected(
        _("“%(name)s” is damaged or incomplete; please upload the original photo again.") % {"name": name}
    )

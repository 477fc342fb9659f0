"""Photo ingest: decide what an upload is by decoding it, then store a clean, upright sRGB copy.

Pure functions on bytes; the limits come from the caller (settings.PHOTO_MAX_BYTES and
settings.PHOTO_MAX_PIXELS), so nothing here reads settings.
"""

import hashlib
import io
import warnings
import zlib
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
    if not _data_complete(data, image):
        raise _damaged(name)
    try:
        # Image.open() leaves an animated WebP at its first frame and a HEIC at its primary image.
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
        return image
    # Broken files make Pillow raise nearly any exception type; none of them may become a 500.
    except Exception:
        raise _damaged(name) from None


def _data_complete(data, image):
    """Whether the file holds data for every pixel its header claims.

    Pillow's decoders stop quietly where the data ends if the file is otherwise well formed: a JPEG
    whose end marker comes early is filled with the last colour, a PNG whose compressed stream ends
    early keeps the rows it had. libwebp and libheif refuse such files themselves.
    """
    try:
        if image.format == "JPEG":
            return _jpeg_complete(data)
        if image.format == "PNG":
            return _png_complete(data, image)
    except Exception:  # a structure too broken to walk is not complete either
        return False
    return True


# Bytes that are never a marker; a decoder that needs more data than the scan holds reads them as
# picture data, and what it decodes then differs from what it decodes without them.
_JPEG_PROBE = bytes(range(1, 255)) * 2


def _jpeg_complete(data):
    """A scan that ends early decodes differently once other bytes follow it; a whole one does not.

    A baseline file is compared at 1/8 scale, which still reads all of its scans' data; a progressive
    one at full size, since its last scans carry only the fine detail a small decode leaves out.
    """
    end = _jpeg_scan_end(data)
    if end is None:
        return False
    probed = data[:end] + _JPEG_PROBE + data[end:]
    return _jpeg_pixels_digest(data) == _jpeg_pixels_digest(probed)


def _jpeg_pixels_digest(data):
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
        if not image.info.get("progressive"):
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
        return hashlib.sha256(image.tobytes()).digest()


def _jpeg_scan_end(data):
    """The offset of the marker that ends the first image's last scan, or None if there is none."""
    position, scan_end = 2, None
    while position + 2 <= len(data):
        if data[position] != 0xFF:  # stray bytes between segments: libjpeg skips them, and so do we
            position = data.find(b"\xff", position)
            if position == -1:
                return None
            continue
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
        elif marker == 0xD9:  # end of image
            return scan_end
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
        else:
            position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
            if marker == 0xDA:  # start of scan: its entropy-coded data runs to the next marker
                position = scan_end = _jpeg_next_marker(data, position)
                if position is None:
                    return None
    return None


def _jpeg_next_marker(data, position):
    while (position := data.find(b"\xff", position)) != -1 and position + 1 < len(data):
        following = data[position + 1]
        if following == 0xFF:
            position += 1
        elif following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte, restart marker
            position += 2
        else:
            return position
    return None


# Adam7: (first column, first row, column step, row step) of each pass.
_ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _png_complete(data, image):
    """The IDAT stream inflates to a filter byte and a full row for every row (of every Adam7 pass),
    and the file ends with IEND."""
    idat, header, position = [], None, 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            return header is not None and _inflated_size(b"".join(idat)) >= _png_raw_size(header)
        position += 12 + length
    return False


def _png_raw_size(header):
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    bits = header[8] * _PNG_CHANNELS[header[9]]
    if not header[12]:
        return height * (1 + (width * bits + 7) // 8)
    total = 0
    for x0, y0, dx, dy in _ADAM7:
        columns, rows = len(range(x0, width, dx)), len(range(y0, height, dy))
        if columns and rows:
            total += rows * (1 + (columns * bits + 7) // 8)
    return total


def _inflated_size(compressed, *, block=1 << 20):
    """How many bytes a zlib stream inflates to, counted a block at a time (never all in memory)."""
    inflater, total = zlib.decompressobj(), 0
    pending = compressed
    while pending and not inflater.eof:
        total += len(inflater.decompress(pending, block))
        pending = inflater.unconsumed_tail
    return total


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

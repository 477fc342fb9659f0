"""Photo ingest: decide what an upload is by decoding it, then store a clean, upright sRGB copy.

Pure functions on bytes; the limits come from the caller (settings.PHOTO_MAX_BYTES and
settings.PHOTO_MAX_PIXELS), so nothing here reads settings.
"""

import functools
import hashlib
import io
import re
import warnings
import zlib
from dataclasses import dataclass

import pillow_heif
from django.template.defaultfilters import filesizeformat, floatformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps

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
    renditions: dict  # name -> JPEG bytes, upright, sRGB, without metadata, made from the one decode


def ingest(fileobj, *, name, max_bytes, max_pixels, renditions=None):
    """Read an upload and return the copy we store with its renditions (name -> longest edge), or raise
    PhotoRejected with the reason.

    The file's type is decided by decoding it, never by its name or the browser's MIME type. A JPEG
    is decoded once, only as finely as its largest rendition needs, and stored as it came, without
    re-encoding: every segment but the picture's own is dropped except its colour profile and its
    orientation (a single EXIF tag), which say how to show those pixels; its renditions are upright
    and sRGB. Any other format is stored re-encoded, upright and sRGB.
    """
    data = fileobj.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoRejected(
            _("“%(name)s” is larger than the %(limit)s limit.")
            % {"name": name, "limit": filesizeformat(max_bytes)}
        )
    edges = renditions or {}
    image = _open(data, name=name, max_pixels=max_pixels)
    # MPO: a JPEG followed by more pictures (depth maps, previews), as many phones send; CMYK is
    # re-encoded, few viewers show it.
    if image.format in ("JPEG", "MPO") and image.mode in ("RGB", "L"):
        largest = max(edges.values(), default=0)
        content, extension, decoded = _stored_jpeg(data, image, name=name, edge=largest)
    else:
        decoded = _to_srgb(_decode(data, image, name=name))
        content, extension = _encode(decoded)  # clears .info: no profile, no orientation left to apply
    width, height = image.size
    if _orientation(image) in _SIDEWAYS:
        width, height = height, width
    return IngestedPhoto(
        content=content,
        extension=extension,
        width=width,
        height=height,
        sha256=hashlib.sha256(content).hexdigest(),
        renditions=_renditions_of_upload(decoded, edges, name=name),
    )


def _renditions_of_upload(decoded, edges, *, name):
    try:
        return _renditions(decoded, edges)
    # Broken files make Pillow raise nearly any exception type; none of them may become a 500.
    except Exception:
        raise _damaged(name) from None


def make_rendition(content, *, edge):
    """A JPEG of stored content whose longest side is at most `edge`; never enlarged."""
    with Image.open(io.BytesIO(content), formats=["JPEG", "PNG"]) as image:
        return _renditions(image, {"only": edge})["only"]


def _renditions(image, edges):
    """name -> JPEG, largest first, each made from the one before: shrink, then turn upright, then
    convert to sRGB, so the costly steps touch only as many pixels as the rendition keeps."""
    orientation, profile = _orientation(image), image.info.get("icc_profile")
    made, source = {}, None
    for name, edge in sorted(edges.items(), key=lambda item: -item[1]):
        rendition = source or image
        # With a reducing_gap, thumbnail() calls draft() itself (keeping the exact crop box), so a
        # JPEG not yet decoded decodes at 1/2 to 1/8 scale, and a decoded picture is first reduced
        # by a whole factor: as far as the size asked for from the full picture (as draft() would),
        # then keeping twice the size, for sharper small renditions.
        gap = 1.0 if source is None else 2.0
        rendition.thumbnail((edge, edge), Image.Resampling.BICUBIC, reducing_gap=gap)
        if source is None:
            rendition = _flatten(_to_srgb(_upright(rendition, orientation), profile))
            rendition.info = {}
        output = io.BytesIO()
        rendition.save(output, "JPEG", quality=RENDITION_QUALITY, optimize=True)
        made[name], source = output.getvalue(), rendition
    return made


def _open(data, *, name, max_pixels):
    """The image as far as its header says; refused here if it is not a photo or has too many pixels."""
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
    return image


def _decode(data, image, *, name):
    """The first frame of a PNG, WebP or HEIC, fully decoded and upright."""
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


def _stored_jpeg(data, image, *, name, edge):
    """(content, extension, decoded image) of a JPEG: its own bytes without metadata, and the pixels
    decoded once, at the smallest scale that still covers a rendition of `edge`."""
    try:
        segments = _jpeg_segments(data)
        if segments is None:
            raise _damaged(name)
        kept, scans = segments
        body = b"\xff\xd8" + _orientation_segment(_orientation(image)) + b"".join(kept)
        content = body + b"\xff\xd9"
        if scans == 1:
            # The scan's data followed by a few non-marker bytes and no end marker: a whole scan is
            # decoded before the decoder runs out of bytes; one that ends early makes it ask for
            # more, and Pillow refuses the file as truncated. So the one decode is also the check.
            decoded = Image.open(io.BytesIO(body + _JPEG_READ_AHEAD), formats=["JPEG"])
            if edge:
                decoded.draft(image.mode, _fitted(image.size, edge))
            decoded.load()
        # several scans (progressive): the decoder reads them all before the first row, so the check
        # above cannot work; the renditions are made from the check's full-size decode
        elif (decoded := _jpeg_complete(content, edge=edge)) is None:
            raise _damaged(name)
        return content, "jpg", decoded
    except PhotoRejected:
        raise
    except Exception:
        raise _damaged(name) from None


def _data_complete(data, image):
    """Whether the file holds data for every pixel its header claims.

    Pillow's decoders stop quietly where the data ends if the file is otherwise well formed: a PNG
    whose compressed stream ends early keeps the rows it had; a JPEG whose end marker comes early is
    filled with grey (see also _stored_jpeg). libwebp and libheif refuse such files themselves.
    """
    try:
        if image.format in ("JPEG", "MPO"):  # CMYK; the others are checked as they are decoded
            kept, _scans = _jpeg_segments(data)
            return _jpeg_complete(b"\xff\xd8" + b"".join(kept) + b"\xff\xd9") is not None
        if image.format == "PNG":
            return _png_complete(data, image)
    except Exception:  # a structure too broken to walk is not complete either
        return False
    return True


# Bytes that are never a marker; a decoder that needs more data than the scan holds reads them as
# picture data, and what it decodes then differs from what it decodes without them.
_JPEG_PROBE = bytes(range(1, 255)) * 2
# Room for the decoder's read-ahead past a whole scan: libjpeg-turbo fills a 64-bit buffer, so 8 bytes
# do (4 refuse whole files); twice that for margin. A scan that ends early takes these bytes as picture
# data and still asks for more, so it is refused, unless it lacks no more than about these 16 bytes
# (a few 8x8 blocks in the last corner): a cut in transfer or a crafted file lacks far more.
_JPEG_READ_AHEAD = bytes(range(1, 17))
# APPn segments that say how to show the pixels (colour transform, colour profile), by their marker
# and how their data starts; every other APPn (EXIF, XMP, IPTC, maker notes, MPF) and comments go.
_KEPT_APPS = {0xE2: b"ICC_PROFILE\0", 0xEE: b"Adobe"}


def _jpeg_complete(data, *, edge=0):
    """The picture if its last scan is whole, else None; decoded at full size, then reduced by the
    whole factor that keeps it at least `edge` on its longest side (if `edge` is given).

    A scan that ends early decodes differently once other bytes follow it; a whole one does not.
    Used for files of several scans (progressive), at full size: their last scans carry only the fine
    detail a small decode leaves out. One full-size picture at a time, to keep the peak memory down
    to what a progressive decode needs anyway (the picture and its coefficients).
    """
    end = data.rfind(b"\xff\xd9")
    image = _jpeg_decoded(data)
    digest = _pixels_digest(image)
    if edge and max(image.size) >= 2 * edge:
        image = image.reduce(max(image.size) // edge)
    with _jpeg_decoded(data[:end] + _JPEG_PROBE + data[end:]) as probed:
        return image if _pixels_digest(probed) == digest else None


def _jpeg_decoded(data):
    image = Image.open(io.BytesIO(data), formats=["JPEG"])
    image.load()
    return image


def _pixels_digest(image, rows=256):
    """Hashed a band at a time: a full-size copy would add its size to the peak memory."""
    digest = hashlib.sha256()
    for top in range(0, image.height, rows):
        digest.update(image.crop((0, top, image.width, min(top + rows, image.height))).tobytes())
    return digest.digest()


def _jpeg_segments(data):
    """(the segments of the first image to keep, from after SOI to the end of its last scan, the number
    of scans), or None if the structure ends before an end-of-image marker follows a scan."""
    position, kept, scans = 2, [], 0
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
            return (kept, scans) if scans else None
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
        else:
            start = position
            position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
            if marker == 0xDA:  # start of scan: its entropy-coded data runs to the next marker
                scans += 1
                position = _jpeg_next_marker(data, position)
                if position is None:
                    return None
            if _kept_segment(marker, data[start + 4 : start + 4 + 16]):
                kept.append(data[start:position])
    return None


def _kept_segment(marker, head):
    if 0xE0 <= marker <= 0xEF:
        return marker in _KEPT_APPS and head.startswith(_KEPT_APPS[marker])
    return marker != 0xFE  # a comment


def _orientation_segment(orientation):
    """An APP1 EXIF segment holding nothing but the orientation, or nothing when it is the default."""
    if orientation == 1:
        return b""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    payload = exif.tobytes()
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload


# A marker: 0xFF followed by a byte that is not a stuffed zero, a restart or another 0xFF (a fill byte,
# whose own marker this pattern then finds one byte on).
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_next_marker(data, position):
    found = _JPEG_MARKER.search(data, position)
    return found.start() if found else None


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


# EXIF orientation -> the transpose that makes the picture upright
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SIDEWAYS = {5, 6, 7, 8}


def _orientation(image):
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # an EXIF block too broken to read says nothing we can trust
        return 1
    return orientation if orientation in _UPRIGHT else 1


def _upright(image, orientation):
    return image.transpose(_UPRIGHT[orientation]) if orientation in _UPRIGHT else image


def _fitted(size, edge):
    """`size` scaled down so that its longest side is `edge` (never up)."""
    scale = min(1, edge / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _to_srgb(image, profile=None):
    """8-bit RGB or RGBA in sRGB, converted through the ICC profile given or embedded, if any."""
    profile = profile or image.info.get("icc_profile")
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
    return ImageCms.applyTransform(image, _transform_to_srgb(profile, image.mode))


@functools.lru_cache(maxsize=16)
def _transform_to_srgb(profile, mode):
    """Built once per profile: phones send the same few, and building one costs as much as using it."""
    source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    if source.profile.xcolor_space != PROFILE_SPACES[mode]:
        raise ValueError("the profile does not describe this image's colours")
    output_mode = "RGBA" if mode == "RGBA" else "RGB"
    return ImageCms.buildTransform(
        source, SRGB, mode, output_mode, renderingIntent=ImageCms.Intent.PERCEPTUAL
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

"""Real files of every kind an officer might upload, made in memory so no binaries are committed."""

import io
import random
import struct
import zipfile
import zlib

import pillow_heif
from PIL import ExifTags, Image

pillow_heif.register_heif_opener()

SERIAL = "SN-7731-PRIVATE"
COMMENT = b"Taken at the head teacher's home"
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Private Person"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)
RED, GREEN, BLUE = (220, 20, 30), (20, 200, 40), (30, 40, 210)


def encode(image, format, **params):
    output = io.BytesIO()
    image.save(output, format, **params)
    return output.getvalue()


def gradient(size=(640, 480)):
    """A smooth RGB picture, so JPEG artefacts stay small."""
    horizontal = Image.linear_gradient("L").rotate(90).resize(size)
    vertical = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", (horizontal, vertical, Image.new("L", size, 128)))


def noise(size, seed=1):
    """Incompressible pixels: the JPEG is about as large as a file of that size gets."""
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))


def jpeg(size=(640, 480)):
    return encode(gradient(size), "JPEG", quality=90)


def rotated_jpeg_with_private_metadata():
    """As a phone stores a portrait photo: 600x400 sideways with orientation 6, plus GPS and the rest.

    The red corner is the top left of the stored pixels; upright, it is the top right.
    """
    image = gradient((600, 400))
    image.paste(RED, (0, 0, 60, 60))
    exif = exif_with_private_tags()
    exif[ExifTags.Base.Orientation] = 6
    return encode(image, "JPEG", quality=90, exif=exif, xmp=XMP, comment=COMMENT)


def exif_with_private_tags():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.BodySerialNumber: SERIAL}
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 30.0, 26.4636),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.9324),
    }
    return exif


def heic(colors=(RED,)):
    """An iPhone-style HEIC; with several colours, one image per colour, the first the primary."""
    images = [Image.new("RGB", (320, 240), color) for color in colors]
    return encode(images[0], "HEIF", quality=90, save_all=True, append_images=images[1:])


def cmyk_jpeg():
    return encode(Image.new("CMYK", (320, 240), (0, 230, 230, 20)), "JPEG", quality=95)


def png_16_bit():
    """A grey ramp from 0 to 65535 left to right, as scanners and some editors write."""
    image = Image.new("I;16", (256, 32))
    for x in range(256):
        image.paste(x * 257, (x, 0, x + 1, 32))
    return encode(image, "PNG")


def png_with_alpha():
    """Left half see-through, right half solid blue."""
    image = Image.new("RGBA", (200, 100), (*BLUE, 255))
    image.paste((0, 0, 0, 0), (0, 0, 100, 100))
    return encode(image, "PNG")


def png_opaque_rgba():
    return encode(Image.new("RGBA", (200, 100), (*GREEN, 255)), "PNG")


def animated_webp():
    frames = [Image.new("RGB", (160, 120), color) for color in (RED, GREEN, BLUE)]
    return encode(
        frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100, loop=0, lossless=True
    )


def png_bomb(width, height):
    """A 1-bit black PNG: a few kilobytes of file that decode to width x height pixels."""
    row = b"\x00" + bytes((width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def jpeg_claiming(width, height):
    """A small valid JPEG whose frame header is edited to claim width x height."""
    data = bytearray(jpeg((64, 48)))
    start_of_frame = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, start_of_frame + 5, height, width)
    return bytes(data)


def truncated_jpeg():
    data = encode(noise((800, 600)), "JPEG", quality=90)
    return data[: len(data) // 2]


def jpeg_cut_with_end_marker(progressive=False):
    """A JPEG cut at 60 % with its end-of-image marker put back, as a broken copy or a crafted file has."""
    data = encode(noise((400, 300)), "JPEG", quality=90, progressive=progressive)
    return data[: len(data) * 6 // 10] + b"\xff\xd9"


def png_rows(size, rows):
    """An RGB PNG of `size` whose compressed data holds only `rows` rows: every chunk is whole and
    its checksum right, only the picture ends early."""
    width, height = size
    image = noise(size)
    raw = b"".join(b"\x00" + image.crop((0, y, width, y + 1)).tobytes() for y in range(rows))
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    idat = _png_chunk(b"IDAT", zlib.compress(raw))
    return b"\x89PNG\r\n\x1a\n" + header + idat + _png_chunk(b"IEND", b"")


def interlaced_png(size=(33, 21)):
    """An Adam7-interlaced palette PNG with odd sides, written by hand: Pillow does not write interlaced."""
    width, height = size
    passes = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ]
    raw = b""
    for x0, y0, dx, dy in passes:
        columns = len(range(x0, width, dx))
        for y in range(y0, height, dy):
            if columns:
                raw += b"\x00" + bytes((x * 7 + y * 3) % 256 for x in range(x0, width, dx))
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 1))
    idat = _png_chunk(b"IDAT", zlib.compress(raw))
    return b"\x89PNG\r\n\x1a\n" + header + idat + _png_chunk(b"IEND", b"")


def png_without_end(size=(200, 150)):
    data = encode(noise(size), "PNG")
    return data[: data.rindex(b"IEND") - 4]


def webp_cut(lossless=False):
    """Half a WebP, with its RIFF and chunk sizes rewritten to match, so only the picture data is short."""
    data = encode(noise((400, 300)), "WEBP", lossless=lossless)
    cut = bytearray(data[: len(data) // 2])
    struct.pack_into("<I", cut, 4, len(cut) - 8)
    struct.pack_into("<I", cut, 16, len(cut) - 20)
    return bytes(cut)


def phone_jpeg():
    """A 12-megapixel photo's dimensions (4032 x 3024), as a phone takes it."""
    return encode(gradient((4032, 3024)), "JPEG", quality=90)


def large_jpeg():
    """About a megabyte."""
    return encode(noise((800, 600)), "JPEG", quality=95)


def jpeg_with_profile(color, profile):
    return encode(Image.new("RGB", (120, 80), color), "JPEG", quality=100, icc_profile=profile)


def adobe_rgb_profile():
    """An ICC v2 matrix/TRC profile with the Adobe RGB (1998) primaries: wider than sRGB."""
    tags = {
        b"desc": _icc_description("Adobe RGB (1998) compatible, for tests"),
        b"cprt": b"text" + bytes(4) + b"No copyright, test data\0",
        b"wtpt": _icc_xyz(0.9642, 1.0, 0.8249),
        b"rXYZ": _icc_xyz(0.60974, 0.31111, 0.01947),
        b"gXYZ": _icc_xyz(0.20528, 0.62567, 0.06087),
        b"bXYZ": _icc_xyz(0.14919, 0.06322, 0.74457),
    }
    gamma = b"curv" + bytes(4) + struct.pack(">IH", 1, 563) + bytes(2)  # 563/256 = 2.2
    tags.update({b"rTRC": gamma, b"gTRC": gamma, b"bTRC": gamma})
    table_size = 4 + 12 * len(tags)
    offset, entries, bodies = 128 + table_size, b"", b""
    for signature, body in tags.items():
        body += bytes(-len(body) % 4)
        entries += signature + struct.pack(">II", offset + len(bodies), len(body))
        bodies += body
    size = 128 + table_size + len(bodies)
    # size, CMM, version 2.1, display class, colour space, connection space, date, signature
    header = struct.pack(
        ">I4sI4s4s4s6H4s", size, b"none", 0x02100000, b"mntr", b"RGB ", b"XYZ ", 2024, 1, 1, 0, 0, 0, b"acsp"
    )
    header += bytes(24) + _icc_xyz(0.9642, 1.0, 0.8249)[8:]  # the D50 illuminant
    header += bytes(128 - len(header))
    return header + struct.pack(">I", len(tags)) + entries + bodies


def _icc_xyz(x, y, z):
    return b"XYZ " + bytes(4) + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))


def _icc_description(text):
    ascii_text = text.encode("ascii") + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(ascii_text)) + ascii_text + bytes(4 + 4 + 2 + 1 + 67)


def disguised_files():
    """(file name, bytes) of things that are not photos, most named as if they were."""
    return [
        ("invitation.jpg", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo.jpg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'),
        ("newsletter.pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"),
        ("photos.jpg", _zip()),
        ("IMG_0001.jpg", b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00\x3e\x00" + bytes(200)),
        ("IMG_0002.jpg", b"MZ\x90\x00" + bytes(60) + b"PE\0\0" + bytes(200)),
        ("empty.jpg", b""),
        ("random.heic", random.Random(7).randbytes(4096)),
    ]


def _zip():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("IMG_0001.jpg", jpeg((32, 32)))
    return output.getvalue()

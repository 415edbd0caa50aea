"""CIFAR-100 bicycle and motorcycle records as the image-classification algorithm's files.

What a notebook does before it trains: the kit's shipped records (official binary format, see
data/cifar-100-bicycle-motorcycle/README.md) become PNG files in a folder, in the algorithm's
image format: `train/<class>/<name>.png`, `validation/...`, and the `.lst` manifests
`train_lst/train.lst`, `validation_lst/validation.lst` (`<index>\\t<class>\\t<relative path>`).
Standard library only (zlib and struct write the PNGs), so it runs in any venv.

    python cifar_images.py OUT_DIR [--train-per-class 150] [--validation-per-class 50]
"""

import argparse
import struct
import zlib
from pathlib import Path

RECORD_BYTES = 3074
SIDE = 32
# Fine labels of the two classes, in class-index order (the algorithm's labels 0 and 1).
CLASSES = {8: "bicycle", 48: "motorcycle"}
KIT_DATA = Path(__file__).resolve().parents[3] / "data" / "cifar-100-bicycle-motorcycle"


def png(planes: bytes) -> bytes:
    """A 32x32 RGB PNG of a CIFAR record's three colour planes (1024 red, green, blue bytes)."""
    rows = b"".join(
        b"\x00" + bytes(planes[c * 1024 + y * SIDE + x] for x in range(SIDE) for c in range(3))
        for y in range(SIDE)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", SIDE, SIDE, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def records(data_dir: Path = KIT_DATA):
    """(source index, class index, file name, planes) of train.bin, in the file's order."""
    raw = (data_dir / "train.bin").read_bytes()
    names = (data_dir / "train.index.tsv").read_text().splitlines()
    for offset, line in zip(range(0, len(raw), RECORD_BYTES), names):
        index, fine, name = line.split("\t")
        record = raw[offset : offset + RECORD_BYTES]
        if record[1] != int(fine):
            raise ValueError(f"train.bin record {index} has label {record[1]}, the index says {fine}")
        class_index = list(CLASSES).index(record[1])
        yield int(index), class_index, name, record[2:]


def write_channels(out: Path, train_per_class: int, validation_per_class: int) -> dict:
    """Writes the four channels under `out`; returns how many images each split holds."""
    taken = {"train": [], "validation": []}
    seen = {class_index: 0 for class_index in range(len(CLASSES))}
    for index, class_index, name, planes in records():
        count = seen[class_index]
        seen[class_index] += 1
        if count < train_per_class:
            split = "train"
        elif count < train_per_class + validation_per_class:
            split = "validation"
        else:
            continue
        relative = f"{list(CLASSES.values())[class_index]}/{name}"
        target = out / split / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png(planes))
        taken[split].append(f"{index}\t{class_index}\t{relative}")
    for split, lines in taken.items():
        manifest = out / f"{split}_lst" / f"{split}.lst"
        manifest.parent.mkdir(parents=True, exist_ok=True)
        manifest.write_text("\n".join(lines) + "\n")
    return {split: len(lines) for split, lines in taken.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--train-per-class", type=int, default=150)
    parser.add_argument("--validation-per-class", type=int, default=50)
    arguments = parser.parse_args()
    print(write_channels(arguments.out, arguments.train_per_class, arguments.validation_per_class))

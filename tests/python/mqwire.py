"""MessagePack, the subset Mq's protocol uses (docs/protocol.md section 2), written out by hand so the Python
peers need no MessagePack package: pack() for what a peer sends, commands() to split a frame into commands.
"""
import struct

def pack(value):
    if value is None:
        return b"\xc0"
    if isinstance(value, bool):
        return b"\xc3" if value else b"\xc2"
    if isinstance(value, int):
        if 0 <= value < 0x80:
            return bytes([value])
        if 0 <= value <= 0xFF:
            return b"\xcc" + bytes([value])
        if 0 <= value <= 0xFFFF:
            return b"\xcd" + struct.pack(">H", value)
        if 0 <= value <= 0xFFFFFFFF:
            return b"\xce" + struct.pack(">I", value)
        return b"\xcf" + struct.pack(">Q", value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        if len(raw) < 32:
            return bytes([0xA0 | len(raw)]) + raw
        if len(raw) <= 0xFF:
            return b"\xd9" + bytes([len(raw)]) + raw
        return b"\xda" + struct.pack(">H", len(raw)) + raw
    if isinstance(value, (bytes, bytearray)):
        if len(value) <= 0xFF:
            return b"\xc4" + bytes([len(value)]) + bytes(value)
        if len(value) <= 0xFFFF:
            return b"\xc5" + struct.pack(">H", len(value)) + bytes(value)
        return b"\xc6" + struct.pack(">I", len(value)) + bytes(value)
    if isinstance(value, list):
        head = bytes([0x90 | len(value)]) if len(value) < 16 else b"\xdc" + struct.pack(">H", len(value))
        return head + b"".join(pack(v) for v in value)
    raise TypeError(type(value))


class Unpacker:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def end(self):
        return self.pos >= len(self.data)

    def take(self, n):
        chunk = self.data[self.pos:self.pos + n]
        if len(chunk) != n:
            raise ValueError("truncated MessagePack")
        self.pos += n
        return chunk

    def read(self):
        b = self.take(1)[0]
        if b < 0x80:
            return b
        if b >= 0xE0:
            return b - 0x100
        if 0x80 <= b <= 0x8F:
            return {self.read(): self.read() for _ in range(b & 0x0F)}
        if 0x90 <= b <= 0x9F:
            return [self.read() for _ in range(b & 0x0F)]
        if 0xA0 <= b <= 0xBF:
            return self.take(b & 0x1F).decode("utf-8")
        fixed = {0xC0: None, 0xC2: False, 0xC3: True}
        if b in fixed:
            return fixed[b]
        sizes = {0xC4: 1, 0xC5: 2, 0xC6: 4, 0xD9: 1, 0xDA: 2, 0xDB: 4, 0xDC: 2, 0xDD: 4, 0xDE: 2, 0xDF: 4}
        ints = {0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q", 0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q"}
        if b in ints:
            fmt = ints[b]
            return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]
        if b in sizes:
            n = int.from_bytes(self.take(sizes[b]), "big")
            if b <= 0xC6:
                return bytes(self.take(n))
            if b <= 0xDB:
                return self.take(n).decode("utf-8")
            if b <= 0xDD:
                return [self.read() for _ in range(n)]
            return {self.read(): self.read() for _ in range(n)}
        raise ValueError("unsupported MessagePack byte 0x%02x" % b)


def commands(frame):
    reader = Unpacker(frame)
    while not reader.end():
        yield reader.read()

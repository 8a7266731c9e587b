"""An Mq peer in Python, written from docs/protocol.md alone: a pyzmq DEALER that does HELLO, SUB and PUB.

Usage: dealer_peer.py tcp://host:port. Prints one line per step; exits 0 when it received its own message,
1 on a protocol surprise, 2 when the broker did not answer in time. MessagePack is encoded by hand (only what
the protocol uses), so the script needs nothing but Debian's python3-zmq.
"""
import struct
import sys

import zmq

TIMEOUT_MS = 5000


def pack(value):
    if value is None:
        return b"\xc0"
    if isinstance(value, bool):
        return b"\xc3" if value else b"\xc2"
    if isinstance(value, int):
        if 0 <= value < 0x80:
            return bytes([value])
        if 0 <= value <= 0xFFFFFFFF:
            return b"\xce" + struct.pack(">I", value)
        return b"\xcf" + struct.pack(">Q", value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        if len(data) < 32:
            return bytes([0xA0 | len(data)]) + data
        return b"\xd9" + bytes([len(data)]) + data
    if isinstance(value, bytes):
        return b"\xc6" + struct.pack(">I", len(value)) + value
    if isinstance(value, list):
        return bytes([0x90 | len(value)]) + b"".join(pack(v) for v in value)
    raise TypeError(type(value))


def unpack(data, pos=0):
    """Returns (value, next position) for the MessagePack value at pos."""
    b = data[pos]
    pos += 1
    if b < 0x80:
        return b, pos
    if 0x80 <= b <= 0x8F:
        return unpack_map(data, pos, b & 0x0F)
    if 0x90 <= b <= 0x9F:
        return unpack_array(data, pos, b & 0x0F)
    if 0xA0 <= b <= 0xBF:
        n = b & 0x1F
        return data[pos:pos + n].decode("utf-8"), pos + n
    if b >= 0xE0:
        return b - 0x100, pos
    if b == 0xC0:
        return None, pos
    if b in (0xC2, 0xC3):
        return b == 0xC3, pos
    sizes = {0xC4: 1, 0xC5: 2, 0xC6: 4, 0xD9: 1, 0xDA: 2, 0xDB: 4}
    if b in sizes:
        width = sizes[b]
        n = int.from_bytes(data[pos:pos + width], "big")
        pos += width
        raw = data[pos:pos + n]
        return (raw.decode("utf-8") if b >= 0xD9 else bytes(raw)), pos + n
    ints = {0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q", 0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q"}
    if b in ints:
        width = struct.calcsize(ints[b])
        return struct.unpack(ints[b], data[pos:pos + width])[0], pos + width
    if b == 0xDC:
        return unpack_array(data, pos + 2, int.from_bytes(data[pos:pos + 2], "big"))
    if b == 0xDE:
        return unpack_map(data, pos + 2, int.from_bytes(data[pos:pos + 2], "big"))
    raise ValueError("unexpected MessagePack byte 0x%02x" % b)


def unpack_array(data, pos, n):
    items = []
    for _ in range(n):
        item, pos = unpack(data, pos)
        items.append(item)
    return items, pos


def unpack_map(data, pos, n):
    result = {}
    for _ in range(n):
        key, pos = unpack(data, pos)
        result[key], pos = unpack(data, pos)
    return result, pos


def commands(frame):
    """A frame is one or more commands back to back (protocol.md section 2)."""
    pos = 0
    while pos < len(frame):
        command, pos = unpack(frame, pos)
        yield command


def expect(socket, code):
    """The next command with this code, skipping HEARTBEAT (4) and CREDIT (15); exits on ERROR or a timeout."""
    while True:
        if not socket.poll(TIMEOUT_MS):
            print("timed out waiting for command %d" % code)
            sys.exit(2)
        for command in commands(socket.recv()):
            if command[0] == code:
                return command
            if command[0] == 7:
                print("ERROR from the broker: %r" % (command,))
                sys.exit(1)
            if command[0] not in (4, 15):
                print("unexpected command %r" % (command,))
                sys.exit(1)


def main(endpoint):
    context = zmq.Context()
    socket = context.socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, 0)
    socket.connect(endpoint)
    try:
        connected = expect(socket, 1)
        print("CONNECTED versions=%r broker=%r" % (connected[1], connected[2]))
        socket.send(pack([2, 1, "python-peer", None]))
        welcome = expect(socket, 3)
        print("WELCOME peer_id=%s" % welcome[2])
        socket.send(pack([11, 1, 1, "py.test", None]))
        ok = expect(socket, 6)
        assert ok[1] == 1, ok
        print("SUB confirmed")
        payload = b"\x00hello from python\xc1"
        socket.send(pack([10, "py.test", None, payload]))
        msg = expect(socket, 13)
        assert msg[1] == 1 and msg[3] == "py.test" and msg[5] == payload, msg
        print("ok: MSG seq=%d subject=%s payload=%d bytes" % (msg[2], msg[3], len(msg[5])))
        socket.send(pack([5, "python peer done"]))
    finally:
        socket.close()
        context.term()


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/python3
"""An Mq peer in Python, written from docs/protocol.md alone: a pyzmq DEALER that does HELLO, SUB and PUB.

Usage: plain_peer.py tcp://host:port. Prints one line per step; exits 0 when it received its own message,
1 on a protocol surprise, 2 when the broker did not answer in time. MessagePack is encoded by hand (mqwire.py),
so the script needs nothing but Debian's python3-zmq.
"""
import sys

import zmq

from mqwire import commands, pack

TIMEOUT_MS = 5000


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

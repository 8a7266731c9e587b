#!/usr/bin/python3
"""An Mq peer written from docs/protocol.md alone (Python 3, python3-zmq and python3-cryptography).

It does what section 13 describes: the Noise NK secure channel keyed by the broker's public key, HELLO,
CHALLENGE/AUTH v2 with an identity key, then SUB and PUB through the broker, and checks that its own message
comes back. Exit code 0 and a last line "ok" on success; anything else is a failure with one line saying why.

    secure_peer.py --endpoint tcp://127.0.0.1:5555 --broker-key Z85 --identity NAME --identity-key FILE --subject S
    secure_peer.py --vector      prints the handshake test vector used by the C# unit tests
"""
import argparse
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from mqwire import commands, pack

# --- Noise_NK_25519_ChaChaPoly_SHA256 (section 13) ---------------------------------------------------------

PROTOCOL_NAME = b"Noise_NK_25519_ChaChaPoly_SHA256"


def raw_public(key):
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def hkdf2(ck, ikm):
    temp = hmac.new(ck, ikm, hashlib.sha256).digest()
    out1 = hmac.new(temp, b"\x01", hashlib.sha256).digest()
    out2 = hmac.new(temp, out1 + b"\x02", hashlib.sha256).digest()
    return out1, out2


def nonce(n):
    return b"\x00\x00\x00\x00" + struct.pack("<Q", n)


def dh(private, public_bytes):
    shared = private.exchange(X25519PublicKey.from_public_bytes(public_bytes))
    if shared == bytes(32):
        raise ValueError("all-zero X25519 result")
    return shared


class CipherState:
    def __init__(self, key):
        self.aead = ChaCha20Poly1305(key)
        self.n = 0

    def seal(self, plaintext):
        out = self.aead.encrypt(nonce(self.n), plaintext, b"")
        self.n += 1
        return out

    def open(self, frame):
        out = self.aead.decrypt(nonce(self.n), frame, b"")
        self.n += 1
        return out


class Initiator:
    """The peer's side of the handshake; the prologue is b"mq-secure-v1\\0" + the CONNECTED frame's bytes."""

    def __init__(self, broker_public, connected_frame, ephemeral=None):
        self.h = PROTOCOL_NAME
        self.ck = PROTOCOL_NAME
        self.rs = broker_public
        self.e = ephemeral or X25519PrivateKey.generate()
        self.mix_hash(b"mq-secure-v1\x00" + connected_frame)
        self.mix_hash(broker_public)

    def mix_hash(self, data):
        self.h = hashlib.sha256(self.h + data).digest()

    def mix_key(self, ikm):
        self.ck, self.k = hkdf2(self.ck, ikm)

    def message1(self):
        e_pub = raw_public(self.e)
        self.mix_hash(e_pub)
        self.mix_key(dh(self.e, self.rs))
        tag = ChaCha20Poly1305(self.k).encrypt(nonce(0), b"", self.h)
        self.mix_hash(tag)
        return e_pub + tag

    def read_message2(self, message):
        if len(message) != 48:
            raise ValueError("SECURE message 2 must be 48 bytes")
        re = message[:32]
        self.mix_hash(re)
        self.mix_key(dh(self.e, re))
        ChaCha20Poly1305(self.k).decrypt(nonce(0), message[32:], self.h)  # raises if not the broker
        self.mix_hash(message[32:])
        k1, k2 = hkdf2(self.ck, b"")
        return CipherState(k1), CipherState(k2), self.h


def vector():
    """A fixed handshake: the responder side is computed here too, so C# and Python must agree byte for byte."""
    broker = X25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    peer_e = X25519PrivateKey.from_private_bytes(bytes(range(33, 65)))
    broker_e = X25519PrivateKey.from_private_bytes(bytes(range(65, 97)))
    connected = pack([1, [1], "mq-broker"])
    peer = Initiator(raw_public(broker), connected, peer_e)
    msg1 = peer.message1()
    # Responder, written out: the same steps from the broker's side.
    h, ck = PROTOCOL_NAME, PROTOCOL_NAME
    h = hashlib.sha256(h + b"mq-secure-v1\x00" + connected).digest()
    h = hashlib.sha256(h + raw_public(broker)).digest()
    h = hashlib.sha256(h + msg1[:32]).digest()
    ck, k = hkdf2(ck, dh(broker, msg1[:32]))
    ChaCha20Poly1305(k).decrypt(nonce(0), msg1[32:], h)
    h = hashlib.sha256(h + msg1[32:]).digest()
    be_pub = raw_public(broker_e)
    h = hashlib.sha256(h + be_pub).digest()
    ck, k = hkdf2(ck, dh(broker_e, msg1[:32]))
    tag = ChaCha20Poly1305(k).encrypt(nonce(0), b"", h)
    msg2 = be_pub + tag
    send, receive, hh = peer.read_message2(msg2)
    ping = pack([8, 7])
    frame0 = send.seal(ping)
    frame1 = send.seal(ping)
    reply = CipherState(hkdf2(ck, b"")[1]).seal(pack([6, 7]))
    print("broker_public", raw_public(broker).hex())
    print("msg1", msg1.hex())
    print("msg2", msg2.hex())
    print("hash", hh.hex())
    print("c1_frame0", frame0.hex())
    print("c1_frame1", frame1.hex())
    print("c2_frame0", reply.hex())


# --- The peer ----------------------------------------------------------------------------------------------


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def run(args):
    import zmq
    import zmq.utils.z85

    broker_public = zmq.utils.z85.decode(args.broker_key.encode("ascii"))
    with open(args.identity_key, "rb") as f:
        identity_key = serialization.load_pem_private_key(f.read(), password=None)

    context = zmq.Context()
    socket = context.socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.RCVTIMEO, args.timeout_ms)
    socket.connect(args.endpoint)

    def receive():
        try:
            return socket.recv()
        except zmq.Again:
            fail("the broker sent nothing within %d ms" % args.timeout_ms)

    connected = receive()
    first = next(commands(connected))
    if first[0] != 1 or 1 not in first[1]:
        fail("expected CONNECTED listing version 1, got %r" % (first,))
    handshake = Initiator(broker_public, connected)
    socket.send(pack([19, handshake.message1()]))
    answer = next(commands(receive()))
    if answer[0] != 19:
        fail("expected SECURE, got %r" % (answer,))
    send, recv, handshake_hash = handshake.read_message2(answer[1])

    def send_commands(*cmds):
        socket.send(send.seal(b"".join(pack(c) for c in cmds)))

    def receive_commands():
        return list(commands(recv.open(receive())))

    send_commands([2, 1, "python-peer", None])
    challenge = receive_commands()[0]
    if challenge[0] != 9:
        fail("expected CHALLENGE, got %r" % (challenge,))
    signed = b"mq-auth-v2\x00" + handshake_hash + challenge[1] + args.identity.encode("utf-8")
    r, s = decode_dss_signature(identity_key.sign(signed, ec.ECDSA(hashes.SHA256())))
    send_commands([17, args.identity, r.to_bytes(32, "big") + s.to_bytes(32, "big")])
    welcome = receive_commands()[0]
    if welcome[0] != 3 or welcome[3].get("identity") != args.identity:
        fail("expected WELCOME as %s, got %r" % (args.identity, welcome))
    print("welcome", welcome[2], flush=True)

    send_commands([11, 1, 1, args.subject, None])
    ok = receive_commands()[0]
    if ok[:2] != [6, 1]:
        fail("expected OK 1 for SUB, got %r" % (ok,))
    payload = pack("hello from python")
    send_commands([10, args.subject, None, payload])
    for _ in range(20):
        for command in receive_commands():
            if command[0] == 13:
                if command[1] != 1 or command[3] != args.subject or command[5] != payload:
                    fail("unexpected MSG %r" % (command,))
                send_commands([5, "python peer done"])
                print("ok", flush=True)
                socket.close()
                context.term()
                return
            if command[0] != 4:
                fail("unexpected command %r" % (command,))
    fail("no MSG came back")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vector", action="store_true")
    parser.add_argument("--endpoint")
    parser.add_argument("--broker-key")
    parser.add_argument("--identity")
    parser.add_argument("--identity-key")
    parser.add_argument("--subject", default="python.test")
    parser.add_argument("--timeout-ms", type=int, default=10000)
    args = parser.parse_args()
    if args.vector:
        vector()
    else:
        run(args)


if __name__ == "__main__":
    main()

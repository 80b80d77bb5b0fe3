"""How the record drivers beside the Kafka tests carry bytes in JSON: as hex strings, with None as null."""


def unhex(s):
    return None if s is None else bytes.fromhex(s)


def hexed(b):
    return None if b is None else b.hex()

"""Secrets the way services hold them: session tokens made at run time as dict keys (and
identifier-like, as hex tokens after a letter are), a password as a value, an API key in a list.
Prints the secrets so a test can look for them in a database."""
import json
import os
import secrets
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402


class Account:
    def __init__(self, user, password):
        self.user = user
        self.password = password


token = "sess" + secrets.token_hex(12)
password = "pw-" + secrets.token_hex(8)
api_key = "key" + secrets.token_hex(10)
sessions = {token: Account("ada", password)}
keys = [api_key]
targetlib.ready()
sys.stdout.write("SECRETS " + json.dumps([token, password, api_key]) + "\n")
sys.stdout.flush()
while True:
    time.sleep(0.5)

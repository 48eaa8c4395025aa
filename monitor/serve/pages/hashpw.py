"""Make a password hash for `[server] users_env`: ``python -m monitor.serve.pages.hashpw``.

Reads the password twice without echo (or once from standard input when it is not a
terminal) and prints ``scrypt$…``; put ``user:`` before it in the variable.
"""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from monitor.serve.pages.auth import hash_password


def main(stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    source, out = stdin or sys.stdin, stdout or sys.stdout
    if source.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            sys.stderr.write("the two passwords differ\n")
            return 1
    else:
        password = source.readline().rstrip("\n")
    if len(password) < 8:
        sys.stderr.write("a password needs 8 characters or more\n")
        return 1
    out.write(hash_password(password) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

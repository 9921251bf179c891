"""A real IMAP server for the inbound mail tests: a throwaway Dovecot in a temporary folder.

Debian's ``dovecot-imapd`` (``.ci/run`` installs it) runs from a generated configuration: one
user in a passwd-file with a plain password, maildir storage in the folder, IMAP on a free
loopback port, no TLS. Mail reaches the mailbox as it reaches an office's: appended to the
INBOX (IMAP ``APPEND``). Without Dovecot the tests fail, saying how to install it: a skipped
test would pass for a feature nobody tested.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.servers import free_port

USER, PASSWORD = "pengaduan", "rahasia-uji"


@dataclass(frozen=True)
class ImapServer:
    """A running Dovecot: where it listens and who may log in."""

    port: int
    user: str = USER
    password: str = PASSWORD
    host: str = "127.0.0.1"

    def connect(self) -> imaplib.IMAP4:
        """A logged-in client of the test's own (to deliver mail and look at flags)."""
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message into the mailbox, as the office's mail server would."""
        imap = self.connect()
        try:
            status, detail = imap.append(folder, "", None, raw)
            assert status == "OK", detail
        finally:
            imap.logout()

    def flags(self, folder: str = "INBOX") -> list[str]:
        """The flags of every message in ``folder``, oldest first."""
        imap = self.connect()
        try:
            _, count = imap.select(folder, readonly=True)
            if not int(count[0] or 0):
                return []
            _, data = imap.fetch("1:*", "(FLAGS)")
            return [item.decode() for item in data if isinstance(item, bytes) and b"FLAGS" in item]
        finally:
            imap.logout()


def dovecot_binary() -> str:
    """Dovecot's path; the test fails (never skips) when it is not installed."""
    found = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.fail(
            "Dovecot is not installed: apt-get install dovecot-imapd (.ci/run installs it). "
            "The inbound mail tests need a real IMAP server."
        )
    return found


def _accounts() -> tuple[str, str, str, int, int]:
    """(internal user and group, login user, mail uid, mail gid) that Dovecot accepts here.

    Run as root, Dovecot's processes drop to the users the Debian package created, and mail
    is never accessed as uid 0 (Dovecot refuses it): the mail belongs to ``nobody``. Run as
    anyone else, everything is that user's (no chroot, sockets in its group).
    """
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(me.pw_gid).gr_name
        return me.pw_name, group, me.pw_name, me.pw_uid, me.pw_gid
    nobody = pwd.getpwnam("nobody")
    internal = "dovecot" if _exists("dovecot") else "nobody"
    group = "dovecot" if _group_exists("dovecot") else "nogroup"
    login = "dovenull" if _exists("dovenull") else "nobody"
    return internal, group, login, nobody.pw_uid, grp.getgrnam("nogroup").gr_gid


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _config(folder: Path, port: int) -> Path:
    internal, group, login, uid, gid = _accounts()
    mail = folder / "mail"
    mail.mkdir()
    os.chown(mail, uid, gid) if os.geteuid() == 0 else None
    passwd = folder / "passwd"
    passwd.write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{mail}/{USER}\n")
    config = folder / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
    )
    return config


@contextmanager
def dovecot_server() -> Iterator[ImapServer]:
    """Start Dovecot in a temporary folder (its config, mail and sockets); remove it after.

    The folder is made here, readable by Dovecot's unprivileged processes (pytest's own
    temporary folders are not), and deleted with everything in it once Dovecot has stopped.
    """
    binary = dovecot_binary()
    folder = Path(tempfile.mkdtemp(prefix="aduan-dovecot-"))
    folder.chmod(0o755)
    port = free_port()
    config = _config(folder, port)
    output = (folder / "output.log").open("wb")
    process = subprocess.Popen(
        [binary, "-F", "-c", str(config)], stdout=output, stderr=subprocess.STDOUT
    )
    try:
        _wait(process, port, folder)
        yield ImapServer(port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait(process: subprocess.Popen[bytes], port: int, folder: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = "".join(
                log.read_text(errors="replace")
                for log in (folder / "output.log", folder / "dovecot.log")
                if log.exists()
            )
            pytest.fail(f"Dovecot did not start:\n{detail}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                if sock.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    process.terminate()
    pytest.fail(f"Dovecot did not listen on port {port} within 15 s")

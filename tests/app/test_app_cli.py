"""``churnsim app``'s own work before the server: which addresses to print, whether the port is free."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from churnsim.cli import app as app_cli
from churnsim.cli.errors import InputError


def test_all_interfaces_print_the_addresses_students_can_open(monkeypatch):
    monkeypatch.setattr(app_cli, "reachable_addresses", lambda: ["10.1.2.3", "192.168.0.7"])
    assert app_cli.student_urls("0.0.0.0", 8765) == ["http://10.1.2.3:8765/", "http://192.168.0.7:8765/"]
    assert app_cli.student_urls("127.0.0.1", 8765) == ["http://127.0.0.1:8765/"]
    monkeypatch.setattr(app_cli, "reachable_addresses", lambda: [])  # no network at all: loopback is all there is
    assert app_cli.student_urls("0.0.0.0", 8765) == ["http://127.0.0.1:8765/"]


def test_reachable_addresses_leave_out_loopback():
    for address in app_cli.reachable_addresses():
        assert not ipaddress.ip_address(address).is_loopback


def test_a_taken_port_is_refused_and_a_free_one_is_not():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError, match=f"port {port} is already in use"):
            app_cli.check_port_free("127.0.0.1", port)
    app_cli.check_port_free("127.0.0.1", port)  # closed again

"""``serve/server.py``: the address is checked before any model loads."""

from __future__ import annotations

import pytest

from qieci.serve.server import check_address


@pytest.mark.parametrize("port", [65536, 99999, -1])
def test_a_port_out_of_range_is_a_valueerror_not_an_overflow(port):
    with pytest.raises(ValueError, match=rf"^port must be 0-65535, not {port}$"):
        check_address("127.0.0.1", port)


def test_port_zero_is_any_free_port():
    check_address("127.0.0.1", 0)  # no error: the system picks one

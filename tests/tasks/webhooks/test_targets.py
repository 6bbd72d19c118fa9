"""Addresses a webhook may call: public ones only, unless a setting lets a network in."""

import pytest

from tasks.webhooks.targets import TargetRefused, target_resolve


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.1.2.3:8080/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://10.0.0.5/hook",
        "http://172.16.0.1/hook",
        "https://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "http://224.0.0.1/hook",
        "http://[fd00::1]/hook",
        "http://[fe80::1]/hook",
    ],
)
def test_an_address_inside_the_network_is_refused_with_a_sentence(settings, url):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(TargetRefused) as refused:
        target_resolve(url)
    assert "inside this server's network" in refused.value.message
    assert refused.value.errors == {"url": [refused.value.message]}


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://93.184.216.34/hook", "starts with https://"),
        ("file:///etc/passwd", "starts with https://"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "starts with https://"),
        ("https:///hook", "starts with https://"),
        ("https://user:secret@93.184.216.34/hook", "user name or password"),
        ("https://93.184.216.34:99999/hook", "port is not a number"),
        ("https://no-such-host.invalid/hook", "cannot be found"),
    ],
)
def test_an_address_that_is_not_a_web_address_is_refused(url, problem):
    with pytest.raises(TargetRefused) as refused:
        target_resolve(url)
    assert problem in refused.value.message


def test_a_public_address_is_called_where_it_was_checked():
    assert target_resolve("https://93.184.216.34/hook") == ("https", 443, "93.184.216.34")
    assert target_resolve("http://93.184.216.34:8080/h?a=1") == ("http", 8080, "93.184.216.34")


def test_a_network_the_setting_allows_is_let_through(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "10.1.2.0/24"]
    assert target_resolve("http://127.0.0.1:9000/hook")[2] == "127.0.0.1"
    assert target_resolve("http://10.1.2.7/hook")[2] == "10.1.2.7"
    with pytest.raises(TargetRefused):
        target_resolve("http://10.1.3.7/hook")

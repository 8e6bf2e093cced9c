"""Settings: defaults, environment variables, validation naming the setting."""

from __future__ import annotations

import warnings

import pytest

from cio_analytics import Client, ConfigurationError, Settings


class TestResolve:
    """Where each value comes from."""

    def test_defaults(self) -> None:
        """Unset values take the documented defaults."""
        settings = Settings.resolve(environ={})
        assert settings.write_key is None
        assert settings.base_url == "https://cdp.customer.io"
        assert (settings.max_queue_size, settings.upload_size, settings.upload_interval) == (
            10_000,
            100,
            0.5,
        )
        assert (settings.timeout, settings.max_retries, settings.strict) == (15.0, 10, True)

    def test_environment(self) -> None:
        """CUSTOMERIO_API_KEY, CUSTOMERIO_REGION and CUSTOMERIO_HOST give defaults."""
        settings = Settings.resolve(
            environ={"CUSTOMERIO_API_KEY": " key-1\n", "CUSTOMERIO_REGION": "EU"}
        )
        assert settings.write_key == "key-1"
        assert settings.base_url == "https://cdp-eu.customer.io"
        settings = Settings.resolve(
            environ={"CUSTOMERIO_REGION": "eu", "CUSTOMERIO_HOST": "https://proxy.example/v1/"}
        )
        assert settings.base_url == "https://proxy.example"

    def test_arguments_win_over_environment(self) -> None:
        """An explicit value beats the environment variable."""
        settings = Settings.resolve(
            environ={"CUSTOMERIO_API_KEY": "env-key"}, write_key="arg-key", region="eu"
        )
        assert settings.write_key == "arg-key"
        assert settings.region == "eu"

    def test_repr_hides_the_key(self) -> None:
        """Neither the settings nor the client repr shows the key."""
        settings = Settings.resolve(environ={}, write_key="very-secret-key")
        assert "very-secret-key" not in repr(settings)
        client = Client(write_key="very-secret-key", send=False)
        assert "very-secret-key" not in repr(client)


class TestValidation:
    """Bad values raise ConfigurationError naming the setting."""

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("region", "mars"),
            ("upload_size", 0),
            ("max_queue_size", -1),
            ("timeout", 0),
            ("upload_interval", -0.5),
            ("max_batch_bytes", 600_000),
            ("gzip", "yes"),
            ("host", "ftp://example.com"),
            ("on_error", 42),
        ],
    )
    def test_invalid(self, name: str, value: object) -> None:
        """Each invalid value names its setting."""
        with pytest.raises(ConfigurationError) as info:
            Settings.resolve(environ={}, **{name: value})
        assert info.value.setting == name
        assert isinstance(info.value, ValueError)

    def test_unknown_setting(self) -> None:
        """configure() with an unknown name is an error."""
        client = Client(write_key="k", send=False)
        with pytest.raises(ConfigurationError, match="nonsense"):
            client.configure(nonsense=1)

    def test_plain_http_remote_host_warns(self) -> None:
        """A plain-http host that is not loopback gets a warning; loopback does not."""
        with pytest.warns(RuntimeWarning, match="plain http"):
            Settings.resolve(environ={}, host="http://collector.example.com")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            Settings.resolve(environ={}, host="http://127.0.0.1:8080")
            Settings.resolve(environ={}, host="http://localhost:8080")

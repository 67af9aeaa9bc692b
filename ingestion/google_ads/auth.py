"""Google Ads credentials and the OAuth refresh-token exchange."""

from __future__ import annotations

import requests
from dlt.common.configuration import configspec
from dlt.common.configuration.specs import CredentialsConfiguration
from dlt.common.typing import TSecretStrValue

from ingestion.http import ApiClient, PayloadError

SOURCE = "google_ads"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"


@configspec
class GoogleAdsCredentials(CredentialsConfiguration):
    """`sources.google_ads.credentials.*` in secrets.toml, or
    SOURCES__GOOGLE_ADS__CREDENTIALS__<FIELD> in the environment."""

    developer_token: TSecretStrValue = None
    client_id: str = None
    client_secret: TSecretStrValue = None
    refresh_token: TSecretStrValue = None

    def secret_values(self) -> list[str]:
        return [self.developer_token, self.client_secret, self.refresh_token]


def _token_refusal(response: requests.Response) -> str | None:
    """Google's token endpoint says why in `error`; each reason has a different fix."""
    if response.status_code not in (400, 401, 403):
        return None
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if error == "invalid_grant":
        return (
            f"{SOURCE}: the refresh token was rejected (invalid_grant); create a new one "
            f"and set sources.{SOURCE}.credentials.refresh_token"
        )
    if error in ("invalid_client", "unauthorized_client"):
        return (
            f"{SOURCE}: the OAuth client was rejected ({error}); check "
            f"sources.{SOURCE}.credentials.client_id and client_secret"
        )
    if response.status_code in (401, 403):
        return (
            f"{SOURCE}: the token endpoint refused the credentials "
            f"(HTTP {response.status_code}); check sources.{SOURCE}.credentials"
        )
    return None


def access_token(credentials: GoogleAdsCredentials, token_url: str, **client_options) -> str:
    """Exchange the long-lived refresh token for a short-lived access token."""
    client = ApiClient(
        source=SOURCE,
        base_url=token_url,
        secrets=credentials.secret_values(),
        auth_failure=_token_refusal,
        **client_options,
    )
    body = client.request(
        "POST",
        "",
        form={
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "refresh_token": credentials.refresh_token,
            "grant_type": "refresh_token",
        },
    )
    token = body.get("access_token") if isinstance(body, dict) else None
    if not token:
        raise PayloadError(f"{SOURCE}: the token endpoint answered without an access_token")
    return token

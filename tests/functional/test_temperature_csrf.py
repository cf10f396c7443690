"""A data logger's file is sent as multipart form data: the page's CSRF token guards it too."""

import re

import pytest
from sqlalchemy import func, select

from compliance.extensions import db
from compliance.models import TemperatureUpload
from tests.functional.test_temperature_pages import upload
from tests.temperature_helpers import at_text, logger_csv, minutes_ago


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def test_an_upload_without_the_pages_token_is_refused_and_kept_nowhere(client, users):
    from tests.factories import PASSWORD

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": users["manager"].email, "password": PASSWORD,
                                "csrf_token": token})
    assert upload(client, logger_csv(f"{at_text(minutes_ago(5))},19.0")).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(TemperatureUpload)) == 0

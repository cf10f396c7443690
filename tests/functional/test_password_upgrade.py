"""Signing in through the page with a password hashed before argon2id."""

from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from compliance.extensions import db
from compliance.models import User
from compliance.services.passwords import verify_password
from tests.conftest import sign_in
from tests.factories import PASSWORD


def test_signing_in_with_an_old_scrypt_hash_stores_an_argon2id_hash(client, users):
    nurse = users["nurse"]
    # Werkzeug's scrypt as production stored it before argon2id.
    old = generate_password_hash(PASSWORD, method="scrypt:32768:8:1")
    db.session.execute(update(User).where(User.id == nurse.id).values(password_hash=old))
    db.session.commit()
    response = sign_in(client, nurse, follow=True)
    assert f"Signed in as {nurse.full_name}" in response.get_data(as_text=True)
    new = db.session.scalar(select(User.password_hash).where(User.id == nurse.id))
    assert new.startswith("$argon2id$") and verify_password(new, PASSWORD)
    client.post("/logout")
    assert sign_in(client, nurse).status_code == 302  # the new hash signs in as well

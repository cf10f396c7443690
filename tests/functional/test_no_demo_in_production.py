"""D8: demo data and demo passwords never reach a production database."""

import re
from pathlib import Path

import pytest

from compliance.demo import DEMO_USERS
from compliance.errors import WeakPassword
from compliance.generator.run import PASSWORD as GENERATED_PASSWORD
from compliance.services import accounts, user_queries
from compliance.services.passwords import check_policy
from tests.factories import PASSWORD

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_passwords() -> list[str]:
    """The passwords column of the README's table of demo accounts."""
    rows = re.findall(r"^\| (\S+@\S+) \| (\S+) \|", README.read_text(), re.MULTILINE)
    return [password for _email, password in rows]


PUBLISHED = sorted({*(d.password for d in DEMO_USERS), GENERATED_PASSWORD,
                    *_readme_passwords()})


def test_the_readme_publishes_the_demo_passwords():
    assert set(_readme_passwords()) == {d.password for d in DEMO_USERS}


@pytest.mark.parametrize("password", PUBLISHED)
def test_a_published_demo_password_is_refused(app, password):
    with pytest.raises(WeakPassword, match="published demo password"):
        check_policy(password)
    with pytest.raises(WeakPassword, match="published demo password"):
        check_policy(f" {password.upper()} ")


def test_the_demo_loader_still_gives_its_accounts_their_passwords(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert accounts.find_by_email(DEMO_USERS[0].profile.email) is not None


@pytest.mark.parametrize("command", [["demo", "load"], ["demo", "load", "--if-empty"],
                                     ["demo", "generate", "--patients", "10"]])
def test_demo_commands_refuse_in_production(app, runner, command):
    app.config["ALLOW_DEMO_DATA"] = False
    result = runner.invoke(args=command)
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: Demo data and its published passwords are never "
                                     "loaded in production (APP_ENV=production).")
    assert user_queries.count_users() == 0


def test_users_create_refuses_a_demo_password(runner):
    result = runner.invoke(args=["users", "create", "--email", "first@test.clinic", "--name",
                                 "First Manager", "--role", "manager", "--password-stdin"],
                           input=f"{DEMO_USERS[0].password}\n")
    assert result.exit_code == 1 and "published demo password" in result.output
    assert user_queries.count_users() == 0


def test_a_password_change_refuses_a_demo_password(users):
    with pytest.raises(WeakPassword, match="published demo password"):
        accounts.change_password(users["nurse"], PASSWORD, GENERATED_PASSWORD)

"""Sign-in and password forms."""

from wtforms import PasswordField
from wtforms.validators import EqualTo

from compliance.forms import Form, password_field, text_field


class LoginForm(Form):
    email = text_field("Email address", 254)
    password = password_field()


class ChangePasswordForm(Form):
    current_password = password_field("Current password")
    password = password_field("New password")
    confirm = PasswordField("Repeat the new password",
                            validators=[EqualTo("password", message="The passwords differ.")])


class CodeForm(Form):
    code = text_field("Code from your authenticator app, or a recovery code", 32)


class SetupForm(Form):
    code = text_field("Code your app shows now", 32)

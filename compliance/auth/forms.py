"""Sign-in and password forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import EqualTo

from compliance.forms import password_field, text_field


class LoginForm(FlaskForm):
    email = text_field("Email address", 254)
    password = password_field()


class ChangePasswordForm(FlaskForm):
    current_password = password_field("Current password")
    password = password_field("New password")
    confirm = PasswordField("Repeat the new password",
                            validators=[EqualTo("password", message="The passwords differ.")])
